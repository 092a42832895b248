import type { AuditLog } from '../audit/audit-log.ts';
import type { RequestContext } from '../context.ts';
import { DEFAULT_RISK_POLICY } from '../risk/engine.ts';
import { parseRange } from '../risk/ip-lists.ts';
import { normalizeEmail } from '../users/email.ts';
import { FrontdoorError } from '../errors.ts';
import type { Clock, Store, Tenant, TenantBranding, TenantSettings } from '../ports.ts';
import { checkRoleReferences, newRoleReferences } from '../authz/roles.ts';

/** Tenant ids are URL path segments and cookie-name parts: short, lower-case, no surprises. */
export const TENANT_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
const RESERVED_IDS = new Set(['admin', 'api', 'assets', 'dev', 'static', 'www']);

export interface TenantAdminDeps {
  store: Store;
  clock: Clock;
  audit: AuditLog;
}

/**
 * Settings that contradict each other are refused: a relying party id must be the host of every
 * passkey origin or a parent domain of it (WebAuthn refuses anything else in the browser).
 */
export function checkTenantSettings(settings: TenantSettings): void {
  const risk = settings.risk;
  if (risk) {
    for (const [field, list] of [['ip_allow', risk.ipAllow], ['ip_deny', risk.ipDeny]] as const) {
      const bad = (list ?? []).find((range) => parseRange(range) === null);
      if (bad !== undefined) throw new FrontdoorError('request.invalid', { field: `settings.risk.${field}`, detail: `not an address or CIDR range: ${bad}` });
    }
    const challenge = risk.thresholds?.challenge ?? DEFAULT_RISK_POLICY.thresholds.challenge;
    const deny = risk.thresholds?.deny ?? DEFAULT_RISK_POLICY.thresholds.deny;
    if (deny <= challenge) throw new FrontdoorError('request.invalid', { field: 'settings.risk.thresholds', detail: 'deny must be above challenge' });
    const badAddress = (risk.alertEmails ?? []).find((address) => normalizeEmail(address) === null);
    if (badAddress !== undefined) throw new FrontdoorError('request.invalid', { field: 'settings.risk.alert_emails', detail: 'not an email address' });
  }
  const rpId = settings.passkeyRpId;
  if (!rpId || !settings.passkeyOrigins) return;
  for (const origin of settings.passkeyOrigins) {
    const host = new URL(origin).hostname;
    if (host !== rpId && !host.endsWith(`.${rpId}`)) {
      throw new FrontdoorError('request.invalid', { field: 'settings.passkey_rp_id', detail: `passkey_rp_id ${rpId} does not cover the origin ${origin}` });
    }
  }
}

export async function createTenant(
  deps: TenantAdminDeps,
  input: { id: string; name?: string; branding?: TenantBranding; settings?: TenantSettings },
  ctx: RequestContext,
): Promise<Tenant> {
  if (!TENANT_ID_PATTERN.test(input.id) || RESERVED_IDS.has(input.id)) {
    throw new FrontdoorError('request.invalid', { field: 'id', detail: 'tenant id: 1-40 of a-z, 0-9 and -, not reserved' });
  }
  if (input.settings) checkTenantSettings(input.settings);
  if (await deps.store.tenants.get(input.id)) throw new FrontdoorError('tenant.exists', { field: 'id' });
  const now = deps.clock.now();
  const tenant: Tenant = { id: input.id, name: input.name?.trim() || input.id, branding: input.branding ?? {}, settings: input.settings ?? {}, createdAt: now, updatedAt: now };
  await deps.store.tenants.create(tenant);
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'admin.tenant_created', result: 'success', subject: tenant.id });
  return tenant;
}

export async function updateTenant(
  deps: TenantAdminDeps,
  id: string,
  patch: { name?: string; branding?: TenantBranding; settings?: TenantSettings },
  ctx: RequestContext,
): Promise<Tenant> {
  if (patch.settings) {
    checkTenantSettings(patch.settings);
    // Role names newly named as default or plan roles must exist (ones named before and deleted since are left alone).
    const current = await deps.store.tenants.get(id);
    await checkRoleReferences(deps.store, id, newRoleReferences(current?.settings ?? {}, patch.settings));
  }
  const updated = await deps.store.tenants.update(id, patch, deps.clock.now());
  if (!updated) throw new FrontdoorError('tenant.not_found');
  await deps.audit.record(ctx, { tenantId: id, action: 'admin.tenant_updated', result: 'success', subject: id, details: { fields: Object.keys(patch) } });
  return updated;
}

export async function deleteTenant(deps: TenantAdminDeps, id: string, ctx: RequestContext): Promise<void> {
  if (!(await deps.store.tenants.delete(id))) throw new FrontdoorError('tenant.not_found');
  await deps.audit.record(ctx, { tenantId: id, action: 'admin.tenant_deleted', result: 'success', subject: id });
}

export async function requireTenant(store: Store, id: string): Promise<Tenant> {
  const tenant = TENANT_ID_PATTERN.test(id) ? await store.tenants.get(id) : null;
  if (!tenant) throw new FrontdoorError('tenant.not_found');
  return tenant;
}
