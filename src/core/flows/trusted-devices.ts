// "Remember this device": after the second factor, the person may let this browser skip it for a
// number of days (tenant setting, default 30; 0 turns the option off). The browser keeps a random
// token bound to the user; only its hash is stored. A password reset or change, an admin MFA reset
// and the account page's "Forget" end it. An app that asks for a stronger sign-in (acr_values)
// still gets the second factor asked: a skipped step is not claimed in amr/acr.
import type { RequestContext } from '../context.ts';
import type { Tenant, TrustedDevice, User } from '../ports.ts';
import { hashToken, newId, randomToken } from '../secrets.ts';
import type { FlowDeps } from './deps.ts';

export const DEFAULT_REMEMBER_DEVICE_DAYS = 30;

export function rememberDeviceDays(tenant: Tenant): number {
  return tenant.settings.rememberDeviceDays ?? DEFAULT_REMEMBER_DEVICE_DAYS;
}

/** Remembers this browser for the user; the token goes into its cookie. Null when the tenant turned it off. */
export async function rememberDevice(deps: Pick<FlowDeps, 'store' | 'clock' | 'audit'>, tenant: Tenant, user: User, name: string, ctx: RequestContext): Promise<{ token: string; maxAgeSeconds: number } | null> {
  const days = rememberDeviceDays(tenant);
  if (days <= 0) return null;
  const now = deps.clock.now();
  const token = randomToken();
  const device: TrustedDevice = { id: newId('dev'), tenantId: tenant.id, userId: user.id, tokenHash: hashToken(token), name: name.slice(0, 100), createdAt: now, lastUsedAt: now, expiresAt: now + days * 86_400_000 };
  await deps.store.trustedDevices.create(device);
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.device_remembered', result: 'success', subject: user.id, details: { deviceId: device.id, days } });
  return { token, maxAgeSeconds: days * 86_400 };
}

/** Whether this browser's token is a live remembered device of this user (and the tenant still allows it). */
export async function isRememberedDevice(deps: Pick<FlowDeps, 'store' | 'clock'>, tenant: Tenant, user: User, token: unknown): Promise<boolean> {
  if (rememberDeviceDays(tenant) <= 0 || typeof token !== 'string' || token.length === 0 || token.length > 128) return false;
  const now = deps.clock.now();
  const device = await deps.store.trustedDevices.find(tenant.id, user.id, hashToken(token), now);
  if (!device) return false;
  await deps.store.trustedDevices.touch(device.id, now);
  return true;
}
