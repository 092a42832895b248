// Server-side sessions. The browser holds a 256-bit random value; the database holds its SHA-256.
// Idle and absolute timeouts are enforced here, on every lookup, not by cookie expiry.
import { acrFor, PASSWORD_AMR } from '../auth/acr.ts';
import type { RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import type { Clock, Session, Store, TenantId, User } from '../ports.ts';
import { hashToken, newId, randomToken } from '../secrets.ts';

export interface SessionSettings {
  idleSeconds: number;
  absoluteSeconds: number;
}

/** Writing last-seen on every request would make each page view a write; once a minute is enough. */
const TOUCH_INTERVAL_MS = 60_000;

/** What a new session may depend on: the device it starts on, and a check in the same transaction. */
export interface SessionStartOptions {
  deviceHash?: string | null;
  /** Runs in the transaction that creates the session (core/households: within the plan's bounds?); throwing creates no session. */
  admit?: (tx: Store) => Promise<void>;
}

export interface SessionService {
  /** A new session; `amr` says how the user signed in (default: password). */
  start(tenantId: TenantId, userId: string, ctx: RequestContext, amr?: readonly string[], options?: SessionStartOptions): Promise<{ token: string; session: Session }>;
  resolve(tenantId: TenantId, token: string | undefined): Promise<{ session: Session; user: User } | null>;
  end(tenantId: TenantId, token: string | undefined): Promise<Session | null>;
  listForUser(tenantId: TenantId, userId: string): Promise<Session[]>;
  /** Revokes one of the user's own sessions; another user's id answers not found. */
  revokeOwn(tenantId: TenantId, userId: string, sessionId: string): Promise<void>;
  revokeAll(tenantId: TenantId, userId: string, exceptSessionId?: string): Promise<number>;
  /**
   * Records a fresh proof in this session (re-authentication before a sensitive action): the
   * authentication time moves to now, and the methods are those just used plus any earlier ones.
   */
  reauthenticate(session: Session, amr: readonly string[]): Promise<Session>;
}

export function createSessionService(deps: { store: Store; clock: Clock; settings: SessionSettings }): SessionService {
  const { store, clock, settings } = deps;

  async function live(tenantId: TenantId, token: string | undefined): Promise<Session | null> {
    if (!token || token.length > 128) return null;
    const session = await store.sessions.findByTokenHash(tenantId, hashToken(token));
    const now = clock.now();
    if (!session || session.revokedAt !== null || session.idleExpiresAt <= now || session.absoluteExpiresAt <= now) return null;
    return session;
  }

  return {
    async reauthenticate(session, amr) {
      const now = clock.now();
      // The session keeps the methods it had; a proof now adds its own. Multi-factor stays what a
      // single sign-in (then or now) established, never a sum of steps minutes apart.
      const finalAmr = [...new Set([...session.amr, ...amr])];
      const acr = acrFor(finalAmr);
      await store.sessions.reauthenticate(session.tenantId, session.id, now, finalAmr, acr);
      return { ...session, authenticatedAt: now, amr: finalAmr, acr };
    },
    async start(tenantId, userId, ctx, amr = PASSWORD_AMR, options = {}) {
      const now = clock.now();
      const token = randomToken();
      const session: Session = {
        id: newId('ses'),
        tenantId,
        userId,
        tokenHash: hashToken(token),
        createdAt: now,
        lastSeenAt: now,
        authenticatedAt: now,
        idleExpiresAt: Math.min(now + settings.idleSeconds * 1000, now + settings.absoluteSeconds * 1000),
        absoluteExpiresAt: now + settings.absoluteSeconds * 1000,
        ip: ctx.ip,
        userAgent: ctx.userAgent?.slice(0, 512) ?? null,
        revokedAt: null,
        amr: [...amr],
        acr: acrFor(amr),
        profileId: null,
        deviceHash: options.deviceHash ?? null,
      };
      const admit = options.admit;
      if (admit) {
        await store.transaction(async (tx) => {
          await admit(tx);
          await tx.sessions.create(session);
        });
      } else await store.sessions.create(session);
      return { token, session };
    },

    async resolve(tenantId, token) {
      const session = await live(tenantId, token);
      if (!session) return null;
      const user = await store.users.get(tenantId, session.userId);
      if (!user || user.status !== 'active') return null;
      const now = clock.now();
      if (now - session.lastSeenAt >= TOUCH_INTERVAL_MS) {
        const idleExpiresAt = Math.min(now + settings.idleSeconds * 1000, session.absoluteExpiresAt);
        await store.sessions.touch(tenantId, session.id, now, idleExpiresAt);
        session.lastSeenAt = now;
        session.idleExpiresAt = idleExpiresAt;
      }
      return { session, user };
    },

    async end(tenantId, token) {
      const session = await live(tenantId, token);
      if (!session) return null;
      await store.sessions.revoke(tenantId, session.id, clock.now());
      return session;
    },

    listForUser(tenantId, userId) {
      return store.sessions.listActiveForUser(tenantId, userId, clock.now());
    },

    async revokeOwn(tenantId, userId, sessionId) {
      const mine = await store.sessions.listActiveForUser(tenantId, userId, clock.now());
      if (!mine.some((s) => s.id === sessionId)) throw new FrontdoorError('session.not_found');
      await store.sessions.revoke(tenantId, sessionId, clock.now());
    },

    revokeAll(tenantId, userId, exceptSessionId) {
      return store.sessions.revokeAllForUser(tenantId, userId, clock.now(), exceptSessionId);
    },
  };
}
