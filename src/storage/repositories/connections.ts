// Connections to upstream identity providers and the upstream identities linked to accounts
// (migration 0031). The client secret is sealed under a key derived from the root key, bound to
// tenant and connection; upstream tokens under the account's data key, bound to the identity, so
// erasing the account leaves them unreadable.
import { createSecretKey } from 'node:crypto';
import type { Connection, ConnectionPreset, ConnectionRepository, ConnectionSettings, ConnectionType, FederatedIdentity, FederatedIdentityRepository, SamlAssertionRepository } from '../../core/ports.ts';
import { deriveKey } from '../../core/secrets.ts';
import type { PersonalDataVault } from '../personal-data-vault.ts';
import type { ConnectionsTable, FederatedIdentitiesTable } from '../schema.ts';
import { fromBool, isStorableText, parseJson, toBool, type Db } from './rows.ts';

const SECRET_COLUMN = 'connection.secret';
const TOKENS_COLUMN = 'federated_identity.tokens';

function toConnection(row: ConnectionsTable): Connection {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    type: row.type as ConnectionType,
    preset: row.preset as ConnectionPreset | null,
    name: row.name,
    clientId: row.client_id,
    hasSecret: row.secret_sealed !== null,
    settings: parseJson<ConnectionSettings>(row.settings, { scopes: [] }),
    enabled: toBool(row.enabled),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toIdentity(row: FederatedIdentitiesTable): FederatedIdentity {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    connectionId: row.connection_id,
    subject: row.subject,
    userId: row.user_id,
    hasTokens: row.tokens_sealed !== null,
    createdAt: Number(row.created_at),
    lastUsedAt: Number(row.last_used_at),
  };
}

/** Replaces a connection's domains; false when one of them belongs to another connection. */
async function writeDomains(db: Db, tenantId: string, connectionId: string, domains: readonly string[]): Promise<boolean> {
  if (domains.length > 0) {
    const taken = await db.selectFrom('connection_domains').select('domain').where('tenant_id', '=', tenantId).where('domain', 'in', [...domains]).where('connection_id', '<>', connectionId).executeTakeFirst();
    if (taken) return false;
  }
  await db.deleteFrom('connection_domains').where('tenant_id', '=', tenantId).where('connection_id', '=', connectionId).execute();
  if (domains.length > 0) await db.insertInto('connection_domains').values(domains.map((domain) => ({ tenant_id: tenantId, domain, connection_id: connectionId }))).execute();
  return true;
}

export function connectionRepository(db: Db, vault: PersonalDataVault): ConnectionRepository {
  const secretKey = createSecretKey(deriveKey(vault.rootKey, 'connection-secrets'));
  const seal = (tenantId: string, id: string, secret: string) => vault.seal(secretKey, secret, SECRET_COLUMN, tenantId, id);
  return {
    async create(c, secret) {
      await db
        .insertInto('connections')
        .values({
          id: c.id,
          tenant_id: c.tenantId,
          type: c.type,
          preset: c.preset,
          name: c.name,
          client_id: c.clientId,
          secret_sealed: secret === null ? null : seal(c.tenantId, c.id, secret),
          settings: JSON.stringify(c.settings),
          enabled: fromBool(c.enabled),
          created_at: c.createdAt,
          updated_at: c.updatedAt,
        })
        .execute();
      return writeDomains(db, c.tenantId, c.id, c.settings.domains ?? []);
    },
    async get(tenantId, id) {
      if (!isStorableText(id)) return null;
      const row = await db.selectFrom('connections').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toConnection(row) : null;
    },
    async list(tenantId) {
      const rows = await db.selectFrom('connections').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').limit(1000).execute();
      return rows.map(toConnection);
    },
    async update(tenantId, id, patch, now) {
      if (!isStorableText(id)) return null;
      const values: Partial<ConnectionsTable> = { updated_at: now };
      if (patch.name !== undefined) values.name = patch.name;
      if (patch.clientId !== undefined) values.client_id = patch.clientId;
      if (patch.settings !== undefined) values.settings = JSON.stringify(patch.settings);
      if (patch.enabled !== undefined) values.enabled = fromBool(patch.enabled);
      const result = await db.updateTable('connections').set(values).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return null;
      if (patch.settings !== undefined && !(await writeDomains(db, tenantId, id, patch.settings.domains ?? []))) return false;
      const row = await db.selectFrom('connections').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirstOrThrow();
      return toConnection(row);
    },
    async setSecret(tenantId, id, secret, now) {
      if (!isStorableText(id)) return false;
      const result = await db.updateTable('connections').set({ secret_sealed: seal(tenantId, id, secret), updated_at: now }).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async secretOf(tenantId, id) {
      if (!isStorableText(id)) return null;
      const row = await db.selectFrom('connections').select('secret_sealed').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row?.secret_sealed ? vault.open(secretKey, row.secret_sealed, SECRET_COLUMN, tenantId, id) : null;
    },
    async delete(tenantId, id) {
      if (!isStorableText(id)) return false;
      const result = await db.deleteFrom('connections').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async byDomain(tenantId, domain) {
      if (!isStorableText(domain)) return null;
      const row = await db
        .selectFrom('connections')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', db.selectFrom('connection_domains').select('connection_id').where('tenant_id', '=', tenantId).where('domain', '=', domain))
        .executeTakeFirst();
      return row ? toConnection(row) : null;
    },
  };
}

export function federatedIdentityRepository(db: Db, vault: PersonalDataVault): FederatedIdentityRepository {
  async function sealTokens(tenantId: string, userId: string, id: string, tokens: string | null): Promise<string | null> {
    if (tokens === null) return null;
    const key = await vault.userKey(db, tenantId, userId);
    if (!key) throw new Error('the account has no data key');
    return vault.seal(key, tokens, TOKENS_COLUMN, tenantId, id);
  }
  return {
    async find(tenantId, connectionId, subject) {
      if (!isStorableText(subject) || !isStorableText(connectionId)) return null;
      const row = await db.selectFrom('federated_identities').selectAll().where('tenant_id', '=', tenantId).where('connection_id', '=', connectionId).where('subject', '=', subject).executeTakeFirst();
      return row ? toIdentity(row) : null;
    },
    async create(i, tokens) {
      const result = await db
        .insertInto('federated_identities')
        .values({
          id: i.id,
          tenant_id: i.tenantId,
          connection_id: i.connectionId,
          subject: i.subject,
          user_id: i.userId,
          tokens_sealed: await sealTokens(i.tenantId, i.userId, i.id, tokens),
          created_at: i.createdAt,
          last_used_at: i.lastUsedAt,
        })
        .onConflict((oc) => oc.columns(['tenant_id', 'connection_id', 'subject']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
    async listForUser(tenantId, userId) {
      const rows = await db.selectFrom('federated_identities').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId).orderBy('created_at').limit(100).execute();
      return rows.map(toIdentity);
    },
    async touch(tenantId, id, now, tokens) {
      const row = await db.selectFrom('federated_identities').select('user_id').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      if (!row) return;
      await db
        .updateTable('federated_identities')
        .set({ last_used_at: now, ...(tokens !== null ? { tokens_sealed: await sealTokens(tenantId, row.user_id, id, tokens) } : {}) })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute();
    },
    async tokensOf(tenantId, id) {
      const row = await db.selectFrom('federated_identities').select(['user_id', 'tokens_sealed']).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      if (!row?.tokens_sealed) return null;
      const key = await vault.userKey(db, tenantId, row.user_id);
      return key ? vault.open(key, row.tokens_sealed, TOKENS_COLUMN, tenantId, id) : null;
    },
    async delete(tenantId, userId, id) {
      if (!isStorableText(id)) return false;
      const result = await db.deleteFrom('federated_identities').where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export function samlAssertionRepository(db: Db): SamlAssertionRepository {
  return {
    async markUsed(tenantId, connectionId, assertionHash, expiresAt) {
      const result = await db
        .insertInto('saml_used_assertions')
        .values({ tenant_id: tenantId, connection_id: connectionId, assertion_hash: assertionHash, expires_at: expiresAt })
        .onConflict((oc) => oc.columns(['tenant_id', 'connection_id', 'assertion_hash']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
    async deleteExpired(now) {
      const result = await db.deleteFrom('saml_used_assertions').where('expires_at', '<', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
