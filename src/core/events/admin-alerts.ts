// Admin alerts: an attack seen on the bus (credential stuffing from one source, a tenant-wide failure
// spike, an account put on hold after 100 failures) is mailed to the tenant's alert addresses
// (`settings.risk.alertEmails`). The risk engine already publishes each attack once an hour per
// cluster, so each alert goes out once, from the node that saw it first. The mail says what, when
// and where to read more; it names no user's address.
import type { Mailer, Store } from '../ports.ts';
import type { SecurityEvent, SecurityEventBus } from './security-events.ts';

const ALERTED: ReadonlySet<SecurityEvent['type']> = new Set(['attack.credential_stuffing', 'attack.failure_spike', 'account.failure_hold']);

/** Parameters of the `attack_alert` mail: plain values only. */
export function alertParams(event: SecurityEvent): Record<string, string> {
  const params: Record<string, string> = { kind: event.type, time: new Date(event.at).toISOString().slice(0, 16).replace('T', ' ') };
  for (const [name, value] of Object.entries(event.details)) if (value !== null) params[name] = String(value);
  if (event.userId) params.userId = event.userId;
  return params;
}

export function subscribeAdminAlerts(bus: SecurityEventBus, deps: { store: Store; mailer: Mailer }): () => void {
  return bus.subscribe(async (event) => {
    if (!ALERTED.has(event.type)) return;
    const tenant = await deps.store.tenants.get(event.tenantId);
    const to = tenant?.settings.risk?.alertEmails ?? [];
    if (!tenant || to.length === 0) return;
    const params = alertParams(event);
    for (const address of to) await deps.mailer.queue({ tenant, to: address, template: 'attack_alert', locale: 'en', params });
  });
}
