// The Store port over Kysely: one object of repositories, re-bound to a transaction on demand.
import { sql, type Kysely } from 'kysely';
import type { AccessChange, Store } from '../core/ports.ts';
import { createAccessChangeLog, notingRoleWrites, notingUserWrites, type AccessChangeLog } from './access-changes.ts';
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
import { connectionRepository, federatedIdentityRepository, samlAssertionRepository } from './repositories/connections.ts';
import { phoneCredentialRepository, smsCodeRepository, smsOutboxRepository } from './repositories/sms.ts';
import { passkeyRepository, webauthnChallengeRepository } from './repositories/passkeys.ts';
import { recoveryCodeRepository, signInFlowRepository, totpRepository } from './repositories/second-factor.ts';

/** `committed`: the changes of the transaction `db` is, told once it commits; null outside one. */
function bind(db: Db, root: Kysely<Database>, vault: PersonalDataVault, changes: AccessChangeLog, committed: AccessChange[] | null): Store {
  const note = async (change: AccessChange) => {
    await changes.record(db, change);
    if (committed) committed.push(change);
    else changes.deliver([change]);
  };
  return {
    tenants: tenantRepository(db),
    apps: applicationRepository(db),
    apiResources: apiResourceRepository(db),
    rememberedGrants: rememberedGrantRepository(db),
    oidcGrants: oidcGrantRepository(db),
    users: notingUserWrites(userRepository(db, vault), note),
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
    authorization: notingRoleWrites(authorizationRepository(db), note),
    organizations: organizationRepository(db, vault),
    households: householdRepository(db, vault),
    connections: connectionRepository(db, vault),
    federatedIdentities: federatedIdentityRepository(db, vault),
    samlAssertions: samlAssertionRepository(db),
    accessChanges: changes,
    async transaction(work) {
      // Nested calls join the outer transaction.
      if (committed) return work(this);
      const made: AccessChange[] = [];
      const result = await root.transaction().execute((trx) => work(bind(trx, root, vault, changes, made)));
      // Told after the commit: a read told earlier could still see (and cache) the old rows.
      changes.deliver(made);
      return result;
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      changes.close();
      await root.destroy();
    },
  };
}

/** The store; personal columns are sealed and opened with `vault` (see personal-data-vault.ts). */
export function createKyselyStore(db: Kysely<Database>, vault: PersonalDataVault, options: { accessChangePollMs?: number } = {}): Store {
  return bind(db, db, vault, createAccessChangeLog(db, options.accessChangePollMs), null);
}
