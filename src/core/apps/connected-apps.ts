// The apps a user has given access to their account (OIDC grants), as the account page shows
// them, and withdrawing that access: the grant, every token issued under it, and the remembered
// consent go at once, so the app's refresh token stops working and it must ask again.
import type { AuditLog } from '../audit/audit-log.ts';
import type { RequestContext } from '../context.ts';
import type { Clock, Store, TenantId } from '../ports.ts';

type Deps = { store: Store; clock: Clock; audit: AuditLog };

export interface ConnectedAppView {
  clientId: string;
  /** The app's name, or its client id when the app has been deleted since. */
  name: string;
  scopes: string[];
  apiScopes: { resource: string; scope: string; description: string }[];
  grantedAt: number;
}

export async function listConnectedApps(deps: Pick<Deps, 'store' | 'clock'>, tenantId: TenantId, userId: string): Promise<ConnectedAppView[]> {
  const grants = await deps.store.oidcGrants.listForUser(tenantId, userId, deps.clock.now());
  return Promise.all(
    grants.map(async (grant) => {
      const app = await deps.store.apps.findByClientId(tenantId, grant.clientId);
      const apiScopes = await Promise.all(
        Object.entries(grant.resources).map(async ([identifier, scopes]) => {
          const resource = await deps.store.apiResources.findByIdentifier(tenantId, identifier);
          return scopes.map((scope) => ({ resource: resource?.name ?? identifier, scope, description: resource?.scopes.find((s) => s.name === scope)?.description ?? '' }));
        }),
      );
      return { clientId: grant.clientId, name: app?.name ?? grant.clientId, scopes: grant.scopes, apiScopes: apiScopes.flat(), grantedAt: grant.firstGrantedAt };
    }),
  );
}

/** Withdraws the user's grants to one app; returns whether there were any. */
export async function revokeAppAccess(deps: Deps, tenantId: TenantId, userId: string, clientId: string, ctx: RequestContext): Promise<boolean> {
  const grants = await deps.store.oidcGrants.revokeForUser(tenantId, userId, clientId);
  if (grants > 0) await deps.audit.record(ctx, { tenantId, action: 'user.app_access_revoked', result: 'success', subject: userId, details: { clientId, grants } });
  return grants > 0;
}
