// The OIDC provider looks an app up by client id, and an API resource by identifier, several times
// for every token request, and every request to a tenant's endpoints reads the tenant (its
// settings: policies, rate limits). All three change rarely, so each node keeps what it read for a
// second: a change made through this node is seen at once (its writes drop the tenant's entries), a
// change made on another node (or by the CLI) within a second — the same bound the provider
// registry gives key rotations. Only these lookups are cached: apps and API resources read by id (the
// admin API) go to storage; the tenant is read through the cache everywhere.
import type { ApiResource, Application, Store, Tenant, TenantId } from '../core/ports.ts';

export const LOOKUP_TTL_MS = 1000;
const MAX_ENTRIES_PER_TENANT = 10_000;

interface Entry<T> {
  /** Settled; handed out as it is, so a hit allocates nothing. */
  value: Promise<T>;
  until: number;
}

function tenantCache<T>(ttlMs: number) {
  const tenants = new Map<TenantId, Map<string, Entry<T>>>();
  // Bumped by every write: a read that started before a write must not cache what it read.
  let generation = 0;
  async function fill(tenantId: TenantId, key: string, load: () => Promise<T>, now: number): Promise<T> {
    const started = generation;
    const value = await load();
    if (started !== generation) return value;
    const fresh = tenants.get(tenantId) ?? new Map<string, Entry<T>>();
    if (fresh.size >= MAX_ENTRIES_PER_TENANT) fresh.clear();
    fresh.set(key, { value: Promise.resolve(value), until: now + ttlMs });
    tenants.set(tenantId, fresh);
    return value;
  }
  return {
    get(tenantId: TenantId, key: string, load: () => Promise<T>): Promise<T> {
      const now = performance.now();
      const hit = tenants.get(tenantId)?.get(key);
      if (hit && hit.until > now) return hit.value;
      return fill(tenantId, key, load, now);
    },
    drop(tenantId: TenantId): void {
      generation += 1;
      tenants.delete(tenantId);
    },
  };
}

/** `store` with app-by-client-id and resource-by-identifier lookups cached for `ttlMs`. */
export function withLookupCache(store: Store, ttlMs = LOOKUP_TTL_MS): Store {
  const apps = tenantCache<Application | null>(ttlMs);
  const resources = tenantCache<ApiResource | null>(ttlMs);
  const tenants = tenantCache<Tenant | null>(ttlMs);
  const appRepo = store.apps;
  const resourceRepo = store.apiResources;
  const tenantRepo = store.tenants;
  // Each write drops the tenant's cached lookups once it has happened.
  const thenDrop = async <T>(caches: { drop(tenantId: TenantId): void }[], tenantId: TenantId, write: Promise<T>): Promise<T> => {
    const result = await write;
    for (const cache of caches) cache.drop(tenantId);
    return result;
  };
  return {
    ...store,
    apps: {
      ...appRepo,
      findByClientId: (tenantId, clientId) => apps.get(tenantId, clientId, () => appRepo.findByClientId(tenantId, clientId)),
      create: (app) => thenDrop([apps], app.tenantId, appRepo.create(app)),
      update: (tenantId, id, patch, now) => thenDrop([apps], tenantId, appRepo.update(tenantId, id, patch, now)),
      delete: (tenantId, id) => thenDrop([apps], tenantId, appRepo.delete(tenantId, id)),
    },
    apiResources: {
      ...resourceRepo,
      findByIdentifier: (tenantId, identifier) => resources.get(tenantId, identifier, () => resourceRepo.findByIdentifier(tenantId, identifier)),
      create: (resource) => thenDrop([resources], resource.tenantId, resourceRepo.create(resource)),
      update: (tenantId, id, patch, now) => thenDrop([resources], tenantId, resourceRepo.update(tenantId, id, patch, now)),
      delete: (tenantId, id) => thenDrop([resources], tenantId, resourceRepo.delete(tenantId, id)),
    },
    tenants: {
      ...tenantRepo,
      get: (id) => tenants.get(id, id, () => tenantRepo.get(id)),
      create: (tenant) => thenDrop([tenants], tenant.id, tenantRepo.create(tenant)),
      update: (id, patch, now) => thenDrop([tenants], id, tenantRepo.update(id, patch, now)),
      delete: (id) => thenDrop([apps, resources, tenants], id, tenantRepo.delete(id)),
    },
  };
}
