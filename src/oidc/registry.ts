// Providers by tenant, built on first use and cached. Apps are read per request by the provider's
// Client adapter, so only keys (and the tenant itself) need watching: at most once a second per
// tenant we compare the key set's version with the one the provider was built with and rebuild
// when a rotation happened on any node.
import type Provider from 'oidc-provider';
import { FrontdoorError } from '../core/errors.ts';
import type { Clock, Store, Tenant, TenantId } from '../core/ports.ts';
import type { SigningKeyService } from '../core/keys/signing-keys.ts';

const RECHECK_MS = 1000;

interface Entry {
  provider: Provider;
  tenant: Tenant;
  keysVersion: string;
  checkedAt: number;
}

export interface ProviderRegistry {
  /** The tenant's provider; FrontdoorError('tenant.not_found') when there is no such tenant. */
  get(tenantId: TenantId): Promise<{ provider: Provider; tenant: Tenant }>;
  /** Drops the cached provider (after a local change; other nodes notice through the version check). */
  invalidate(tenantId: TenantId): void;
}

export function createProviderRegistry(deps: {
  store: Store;
  clock: Clock;
  signingKeys: SigningKeyService;
  build: (tenant: Tenant) => Promise<Provider>;
}): ProviderRegistry {
  const entries = new Map<TenantId, Entry>();
  const building = new Map<TenantId, Promise<Entry>>();

  async function build(tenantId: TenantId): Promise<Entry> {
    const tenant = await deps.store.tenants.get(tenantId);
    if (!tenant) throw new FrontdoorError('tenant.not_found');
    await deps.signingKeys.ensureKeys(tenantId);
    const keysVersion = await deps.signingKeys.version(tenantId);
    const provider = await deps.build(tenant);
    const entry = { provider, tenant, keysVersion, checkedAt: deps.clock.now() };
    entries.set(tenantId, entry);
    return entry;
  }

  function buildOnce(tenantId: TenantId): Promise<Entry> {
    let pending = building.get(tenantId);
    if (!pending) {
      pending = build(tenantId).finally(() => building.delete(tenantId));
      building.set(tenantId, pending);
    }
    return pending;
  }

  return {
    async get(tenantId) {
      const entry = entries.get(tenantId);
      if (!entry) return buildOnce(tenantId);
      const now = deps.clock.now();
      if (now - entry.checkedAt >= RECHECK_MS) {
        entry.checkedAt = now;
        const [tenant, keysVersion] = await Promise.all([deps.store.tenants.get(tenantId), deps.signingKeys.version(tenantId)]);
        if (!tenant) {
          entries.delete(tenantId);
          throw new FrontdoorError('tenant.not_found');
        }
        if (keysVersion !== entry.keysVersion || tenant.updatedAt !== entry.tenant.updatedAt) return buildOnce(tenantId);
      }
      return entry;
    },
    invalidate(tenantId) {
      entries.delete(tenantId);
    },
  };
}
