// A user's OIDC grants as stored by the provider's SQL adapter (`oidc_artifacts`, owner columns
// from migration 0005): what the account page lists as connected apps, and what revocation ends.
// Deleting a Grant row is enough to stop everything issued under it — the provider loads the grant
// whenever a code, refresh or access token is used — and its tokens are deleted with it.
import type { ConnectedApp, OidcGrantRepository } from '../../core/ports.ts';
import type { Db } from './rows.ts';

interface GrantPayload {
  openid?: { scope?: string };
  resources?: Record<string, string>;
  iat?: number;
}

export function oidcGrantRepository(db: Db): OidcGrantRepository {
  return {
    async listForUser(tenantId, userId, now) {
      const rows = await db
        .selectFrom('oidc_artifacts')
        .select(['id', 'client_id', 'payload'])
        .where('tenant_id', '=', tenantId)
        .where('account_id', '=', userId)
        .where('model', '=', 'Grant')
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .execute();
      const byClient = new Map<string, ConnectedApp>();
      for (const row of rows) {
        if (row.client_id === null) continue;
        const payload = JSON.parse(row.payload) as GrantPayload;
        const app = byClient.get(row.client_id) ?? { clientId: row.client_id, scopes: [], resources: {}, firstGrantedAt: Number.MAX_SAFE_INTEGER };
        app.scopes = [...new Set([...app.scopes, ...(payload.openid?.scope ?? '').split(' ').filter(Boolean)])];
        for (const [resource, scope] of Object.entries(payload.resources ?? {})) {
          app.resources[resource] = [...new Set([...(app.resources[resource] ?? []), ...scope.split(' ').filter(Boolean)])];
        }
        if (typeof payload.iat === 'number') app.firstGrantedAt = Math.min(app.firstGrantedAt, payload.iat * 1000);
        byClient.set(row.client_id, app);
      }
      return [...byClient.values()].sort((a, b) => a.firstGrantedAt - b.firstGrantedAt);
    },

    async revokeForUser(tenantId, userId, clientId) {
      let grants = db.selectFrom('oidc_artifacts').select('id').where('tenant_id', '=', tenantId).where('account_id', '=', userId).where('model', '=', 'Grant');
      if (clientId !== null) grants = grants.where('client_id', '=', clientId);
      const grantIds = (await grants.execute()).map((row) => row.id);
      if (grantIds.length) {
        await db
          .deleteFrom('oidc_artifacts')
          .where('tenant_id', '=', tenantId)
          .where((eb) => eb.or([eb('grant_id', 'in', grantIds), eb.and([eb('model', '=', 'Grant'), eb('id', 'in', grantIds)])]))
          .execute();
      }
      // Tokens of the account that name no grant we found, and — for a full revocation — the
      // provider's own sessions of the account.
      let owned = db.deleteFrom('oidc_artifacts').where('tenant_id', '=', tenantId).where('account_id', '=', userId);
      owned = clientId !== null ? owned.where('client_id', '=', clientId).where('model', 'in', ['AccessToken', 'RefreshToken', 'AuthorizationCode', 'DeviceCode']) : owned;
      await owned.execute();
      let remembered = db.deleteFrom('oidc_user_grants').where('tenant_id', '=', tenantId).where('user_id', '=', userId);
      if (clientId !== null) remembered = remembered.where('client_id', '=', clientId);
      await remembered.execute();
      return grantIds.length;
    },
  };
}
