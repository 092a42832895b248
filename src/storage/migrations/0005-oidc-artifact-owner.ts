// Who an OIDC artifact belongs to: the account and the client, as columns, so a user's grants
// and tokens can be listed (connected apps) and revoked (admin "revoke sessions", password reset,
// account deletion) without reading every payload. Existing rows are filled from their payload.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const oidcArtifactOwnerMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('oidc_artifacts').addColumn('account_id', 'text').execute();
    await db.schema.alterTable('oidc_artifacts').addColumn('client_id', 'text').execute();
    await db.schema.createIndex('oidc_artifacts_account_idx').on('oidc_artifacts').columns(['tenant_id', 'account_id', 'model']).execute();
    const rows: { tenant_id: string; model: string; id: string; payload: string }[] = await db.selectFrom('oidc_artifacts').select(['tenant_id', 'model', 'id', 'payload']).execute();
    for (const row of rows) {
      let payload: { accountId?: unknown; clientId?: unknown };
      try {
        payload = JSON.parse(row.payload) as typeof payload;
      } catch {
        continue;
      }
      const accountId = typeof payload.accountId === 'string' ? payload.accountId : null;
      const clientId = typeof payload.clientId === 'string' ? payload.clientId : null;
      if (accountId === null && clientId === null) continue;
      await db
        .updateTable('oidc_artifacts')
        .set({ account_id: accountId, client_id: clientId })
        .where('tenant_id', '=', row.tenant_id)
        .where('model', '=', row.model)
        .where('id', '=', row.id)
        .execute();
    }
  },
  async down() {
    throw new Error('down migrations are not supported; restore from backup');
  },
};
