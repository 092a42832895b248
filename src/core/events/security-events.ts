// The internal bus of security events: what users and admins should know about (a sign-in from a
// new device, a sign-in reported as not the owner's, an attack in progress, a consent given or
// withdrawn). Subscribers in this process get each event as it happens (metrics, the log; webhooks
// will publish from here); a subscriber that throws is reported, never breaks the flow that published.
import type { TenantId } from '../ports.ts';

export type SecurityEventType =
  | 'sign_in.new_device'
  | 'sign_in.reported'
  | 'session.ended'
  | 'attack.credential_stuffing'
  | 'attack.failure_spike'
  | 'account.failure_hold'
  | 'consent.granted'
  | 'consent.withdrawn';

export interface SecurityEvent {
  type: SecurityEventType;
  tenantId: TenantId;
  at: number;
  /** The account concerned, when there is one. */
  userId: string | null;
  /** What an admin needs to act on it: never a secret, never a password or token. */
  details: Record<string, string | number | boolean | null>;
}

export type SecurityEventListener = (event: SecurityEvent) => void | Promise<void>;

export interface SecurityEventBus {
  publish(event: SecurityEvent): void;
  subscribe(listener: SecurityEventListener): () => void;
}

export function createSecurityEventBus(onListenerError: (error: unknown, event: SecurityEvent) => void): SecurityEventBus {
  const listeners = new Set<SecurityEventListener>();
  return {
    publish(event) {
      for (const listener of listeners) {
        try {
          Promise.resolve(listener(event)).catch((error: unknown) => onListenerError(error, event));
        } catch (error) {
          onListenerError(error, event);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
