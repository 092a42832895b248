// oidc-provider's storage in our database: one row per artifact (code, token, session, grant…) in
// `oidc_artifacts`, every query scoped by tenant. Payloads hold tokens: they are never logged.
//
// Beyond the adapter contract (lib/adapters/memory_adapter.js in oidc-provider):
// - consume() is one conditional UPDATE, so of two concurrent redemptions of a code or refresh
//   token only one succeeds; the loser revokes the whole grant and throws InvalidGrant (the
//   provider's own check, `if (code.consumed)`, is a read before the write and cannot see a race).
// - Once consumed, an artifact stays consumed: a later upsert cannot clear `consumed_at`.
// - Rows past `expires_at` are invisible at once and deleted by `deleteExpired` after a grace period.
import { sql, type Kysely } from 'kysely';
import { errors, type Adapter, type AdapterConstructor, type AdapterPayload } from 'oidc-provider';
import type { Clock } from '../core/ports.ts';
import { isStorableText } from '../storage/repositories/rows.ts';
import type { Database, OidcArtifactsTable } from '../storage/schema.ts';

/** Models whose artifacts belong to a grant and go when it is revoked (as in the memory adapter). */
export const GRANTABLE_MODELS: ReadonlySet<string> = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

/** Clients come from the applications table, not from the provider's storage. */
export const CLIENT_MODEL = 'Client';

/** How long expired rows stay before `deleteExpired` removes them (nodes' clocks may differ a little). */
export const OIDC_ARTIFACT_GRACE_MS = 5 * 60_000;

/** Called when a consumed artifact is redeemed again: revoke everything of its grant. */
export type ReplayHandler = (grantId: string) => Promise<void>;

export interface SqlAdapterOptions {
  /** Default: `revokeOidcGrant` in this database (artifacts of the grant and the Grant itself). */
  onReplay?: ReplayHandler;
}

/** "AuthorizationCode" → "authorization code", the provider's wording in its own errors. */
export function modelLabel(model: string): string {
  return model.replace(/(?<=[a-z])(?=[A-Z])/g, ' ').toLowerCase();
}

export function alreadyConsumed(model: string): Error {
  return new errors.InvalidGrant(`${modelLabel(model)} already consumed`);
}

export function clientsNotStored(): Error {
  return new Error('OIDC clients are served from the applications table, not stored by the adapter');
}

/** The payload's grant id when the model belongs to a grant, else null. */
export function grantIdOf(model: string, payload: AdapterPayload): string | null {
  return GRANTABLE_MODELS.has(model) && typeof payload.grantId === 'string' && payload.grantId !== '' ? payload.grantId : null;
}

/** `consumed` (epoch seconds) of a payload as milliseconds, or null. */
export function consumedAtOf(payload: AdapterPayload, now: number): number | null {
  const consumed: unknown = payload.consumed;
  if (typeof consumed === 'number' && Number.isFinite(consumed)) return Math.round(consumed * 1000);
  return consumed ? now : null;
}

export function expiresAtOf(expiresIn: number | undefined, now: number): number | null {
  return typeof expiresIn === 'number' && Number.isFinite(expiresIn) ? now + Math.round(expiresIn * 1000) : null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function toPayload(row: Pick<OidcArtifactsTable, 'payload' | 'consumed_at'>): AdapterPayload {
  const payload = JSON.parse(row.payload) as AdapterPayload;
  if (row.consumed_at !== null) payload.consumed = Math.floor(row.consumed_at / 1000);
  return payload;
}

/**
 * Revokes a grant in the database: every artifact carrying its id and the Grant itself, so tokens a
 * concurrent winner writes after this still fail (the provider checks the Grant when they are used).
 */
export async function revokeOidcGrant(db: Kysely<Database>, tenantId: string, grantId: string): Promise<void> {
  await db
    .deleteFrom('oidc_artifacts')
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('grant_id', '=', grantId), eb.and([eb('model', '=', 'Grant'), eb('id', '=', grantId)])]))
    .execute();
}

/** The oidc-provider adapter over `oidc_artifacts` for one tenant: `new Adapter(modelName)`. */
export function sqlAdapterFactory(db: Kysely<Database>, tenantId: string, clock: Clock, options: SqlAdapterOptions = {}): AdapterConstructor {
  const onReplay: ReplayHandler = options.onReplay ?? ((grantId) => revokeOidcGrant(db, tenantId, grantId));

  return class SqlAdapter implements Adapter {
    readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    private select(now: number) {
      return db
        .selectFrom('oidc_artifacts')
        .select(['payload', 'consumed_at'])
        .where('tenant_id', '=', tenantId)
        .where('model', '=', this.model)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      if (this.model === CLIENT_MODEL) throw clientsNotStored();
      const now = clock.now();
      await db
        .insertInto('oidc_artifacts')
        .values({
          tenant_id: tenantId,
          model: this.model,
          id,
          payload: JSON.stringify(payload),
          grant_id: grantIdOf(this.model, payload),
          user_code: stringOrNull(payload.userCode),
          uid: stringOrNull(payload.uid),
          account_id: stringOrNull(payload.accountId),
          client_id: stringOrNull(payload.clientId),
          expires_at: expiresAtOf(expiresIn, now),
          consumed_at: consumedAtOf(payload, now),
        })
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'model', 'id']).doUpdateSet((eb) => ({
            payload: eb.ref('excluded.payload'),
            grant_id: eb.ref('excluded.grant_id'),
            user_code: eb.ref('excluded.user_code'),
            uid: eb.ref('excluded.uid'),
            account_id: eb.ref('excluded.account_id'),
            client_id: eb.ref('excluded.client_id'),
            expires_at: eb.ref('excluded.expires_at'),
            // Consumption is one-way: re-saving an artifact never makes it redeemable again.
            consumed_at: sql<number | null>`coalesce(oidc_artifacts.consumed_at, excluded.consumed_at)`,
          })),
        )
        .execute();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === CLIENT_MODEL || !isStorableText(id)) return undefined;
      const row = await this.select(clock.now()).where('id', '=', id).executeTakeFirst();
      return row ? toPayload(row) : undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      if (this.model === CLIENT_MODEL || !isStorableText(userCode)) return undefined;
      const row = await this.select(clock.now()).where('user_code', '=', userCode).limit(1).executeTakeFirst();
      return row ? toPayload(row) : undefined;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      if (this.model === CLIENT_MODEL || !isStorableText(uid)) return undefined;
      const row = await this.select(clock.now()).where('uid', '=', uid).limit(1).executeTakeFirst();
      return row ? toPayload(row) : undefined;
    }

    async consume(id: string): Promise<void> {
      if (this.model === CLIENT_MODEL) throw clientsNotStored();
      // One conditional UPDATE: of two concurrent redemptions only one changes the row.
      const result = await db
        .updateTable('oidc_artifacts')
        .set({ consumed_at: clock.now() })
        .where('tenant_id', '=', tenantId)
        .where('model', '=', this.model)
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) return;

      const row = await db
        .selectFrom('oidc_artifacts')
        .select('grant_id')
        .where('tenant_id', '=', tenantId)
        .where('model', '=', this.model)
        .where('id', '=', id)
        .executeTakeFirst();
      // Gone: revoked meanwhile (possibly by another losing redemption); nothing left to revoke.
      if (!row) throw new errors.InvalidGrant(`${modelLabel(this.model)} not found`);
      if (row.grant_id !== null) await onReplay(row.grant_id);
      throw alreadyConsumed(this.model);
    }

    async destroy(id: string): Promise<void> {
      if (this.model === CLIENT_MODEL) throw clientsNotStored();
      await db.deleteFrom('oidc_artifacts').where('tenant_id', '=', tenantId).where('model', '=', this.model).where('id', '=', id).execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      // Every model of the grant, whichever model's adapter is asked (as the memory adapter does).
      await db.deleteFrom('oidc_artifacts').where('tenant_id', '=', tenantId).where('grant_id', '=', grantId).execute();
    }
  };
}

/** Deletes artifacts of every tenant that expired more than `graceMs` ago; returns how many. */
export async function deleteExpired(db: Kysely<Database>, now: number, graceMs: number = OIDC_ARTIFACT_GRACE_MS): Promise<number> {
  const result = await db.deleteFrom('oidc_artifacts').where('expires_at', 'is not', null).where('expires_at', '<=', now - graceMs).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export interface OidcArtifactCleanupOptions {
  graceMs?: number;
  /** A failed run is retried at the next tick; this hears about it (e.g. to log — never payloads). */
  onError?: (error: unknown) => void;
}

/** Runs `deleteExpired` every `intervalMs` (unref'd: it never keeps the process alive); returns stop. */
export function startOidcArtifactCleanup(db: Kysely<Database>, clock: Clock, intervalMs: number, options: OidcArtifactCleanupOptions = {}): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return; // a slow run is not overlapped by the next
    running = true;
    deleteExpired(db, clock.now(), options.graceMs)
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
