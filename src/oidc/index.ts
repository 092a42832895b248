// Wires the per-tenant OIDC providers from the services: settings from the configuration, the
// registry that caches providers, and the pages the provider renders.
import { duePrompt, profileRulesOf } from '../core/users/profile-rules.ts';
import type { Services } from '../app.ts';
import { sessionCookieName } from '../http/public/page-support.ts';
import { createOidcPages } from './pages.ts';
import { ACR } from '../core/auth/acr.ts';
import { strongestReachableAcr } from '../core/flows/second-factor.ts';
import { createTenantProvider, DEFAULT_OIDC_SETTINGS, type OidcSettings } from './provider.ts';
import { createProviderRegistry, type ProviderRegistry } from './registry.ts';

export function oidcSettings(services: Services): OidcSettings {
  const { config } = services;
  return { ...DEFAULT_OIDC_SETTINGS, baseUrl: config.baseUrl, sessionTtlSeconds: config.sessionAbsoluteSeconds };
}

export function createOidc(services: Services, log: (level: 'warn' | 'error', message: string, details?: Record<string, unknown>) => void): ProviderRegistry {
  const settings = oidcSettings(services);
  const pages = createOidcPages();
  return createProviderRegistry({
    store: services.store,
    clock: services.clock,
    signingKeys: services.signingKeys,
    build: (tenant) =>
      createTenantProvider(
        {
          store: services.store,
          db: services.db,
          redis: services.redis,
          clock: services.clock,
          audit: services.audit,
          sessions: services.sessions,
          signingKeys: services.signingKeys,
          cookieKey: services.oidcKeys.cookie,
          placeholderKey: services.oidcKeys.placeholder,
          pairwiseKey: services.oidcKeys.pairwise,
          settings,
          pages,
          sessionCookieName,
          log,
          access: services.access,
          reassessRefresh: (current, accountId, ctx) => services.flows.risk.reassessRefresh(current, accountId, ctx),
          reachableAcr: async (tenantId, accountId) => {
            const [current, user] = await Promise.all([services.store.tenants.get(tenantId), services.store.users.get(tenantId, accountId)]);
            return current && user ? strongestReachableAcr(services.flows, current, user) : ACR.password;
          },
          profilePromptDue: async (tenantId, accountId, clientId, scopes) => {
            const current = await services.store.tenants.get(tenantId);
            if (!current || profileRulesOf(current).length === 0) return false;
            const user = await services.store.users.get(tenantId, accountId);
            return user !== null && (await duePrompt(services.flows, current, user, { clientId, scopes })) !== null;
          },
        },
        tenant,
      ),
  });
}
