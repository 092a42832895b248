// The Store port over Kysely: one object of repositories, re-bound to a transaction on demand.
import { sql, type Kysely } from 'kysely';
import type { Store } from '../core/ports.ts';
import type { Database } from './schema.ts';
import type { Db } from './repositories/rows.ts';
import type { PersonalDataVault } from './personal-data-vault.ts';
import { tenantRepository } from './repositories/tenants.ts';
import { applicationRepository } from './repositories/applications.ts';
import { apiResourceRepository } from './repositories/api-resources.ts';
import { oidcGrantRepository } from './repositories/oidc-grants.ts';
import { rememberedGrantRepository } from './repositories/remembered-grants.ts';
import { passwordRepository, userRepository } from './repositories/users.ts';
import { sessionRepository } from './repositories/sessions.ts';
import { actionTokenRepository } from './repositories/action-tokens.ts';
import { auditRepository } from './repositories/audit.ts';
import { mailOutboxRepository } from './repositories/mail-outbox.ts';
import { adminTokenRepository } from './repositories/admin-tokens.ts';
import { signingKeyRepository } from './repositories/signing-keys.ts';
import { emailSignInRepository } from './repositories/email-sign-ins.ts';
import { trustedDeviceRepository } from './repositories/trusted-devices.ts';
import { apiFlowRepository } from './repositories/api-flows.ts';
import { riskEventRepository, signInEventRepository } from './repositories/risk.ts';
import { consentRepository } from './repositories/consent.ts';
import { authorizationRepository } from './repositories/authorization.ts';
import { organizationRepository } from './repositories/organizations.ts';
import { householdRepository } from './repositories/households.ts';
import { phoneCredentialRepository, smsCodeRepository, smsOutboxRepository } from './repositories/sms.ts';
import { passkeyRepository, webauthnChallengeRepository } from './repositories/passkeys.ts';
import { recoveryCodeRepository, signInFlowRepository, totpRepository } from './repositories/second-factor.ts';

function bind(db: Db, root: Kysely<Database>, vault: PersonalDataVault, inTransaction: boolean): Store {
  return {
    tenants: tenantRepository(db),
    apps: applicationRepository(db),
    apiResources: apiResourceRepository(db),
    rememberedGrants: rememberedGrantRepository(db),
    oidcGrants: oidcGrantRepository(db),
    users: userRepository(db, vault),
    passwords: passwordRepository(db),
    sessions: sessionRepository(db, vault),
    actionTokens: actionTokenRepository(db, vault),
    audit: auditRepository(db, vault),
    mailOutbox: mailOutboxRepository(db, vault),
    adminTokens: adminTokenRepository(db),
    signingKeys: signingKeyRepository(db),
    totp: totpRepository(db, vault),
    signInFlows: signInFlowRepository(db),
    recoveryCodes: recoveryCodeRepository(db),
    passkeys: passkeyRepository(db),
    webauthnChallenges: webauthnChallengeRepository(db),
    emailSignIns: emailSignInRepository(db),
    phones: phoneCredentialRepository(db, vault),
    smsCodes: smsCodeRepository(db),
    smsOutbox: smsOutboxRepository(db, vault),
    trustedDevices: trustedDeviceRepository(db),
    apiFlows: apiFlowRepository(db),
    signInEvents: signInEventRepository(db, vault),
    riskEvents: riskEventRepository(db, vault),
    consent: consentRepository(db, vault),
    authorization: authorizationRepository(db),
    organizations: organizationRepository(db, vault),
    households: householdRepository(db, vault),
    async transaction(work) {
      // Nested calls join the outer transaction.
      if (inTransaction) return work(this);
      return root.transaction().execute((trx) => work(bind(trx, root, vault, true)));
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await root.destroy();
    },
  };
}

/** The store; personal columns are sealed and opened with `vault` (see personal-data-vault.ts). */
export function createKyselyStore(db: Kysely<Database>, vault: PersonalDataVault): Store {
  return bind(db, db, vault, false);
}
