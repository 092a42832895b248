// Per-tenant signing keys for the OIDC provider: generated here with jose, stored sealed, rotated in
// two steps so a key is published in the JWKS before it signs anything.
//
// States: `next` (published, not signing) → `active` (signs: the provider takes the first key of an
// alg) → `retired` (published until retire_after, so tokens it signed still verify) → deleted.
// The database holds the invariant too: at most one active and one next key per tenant and alg.
//
// At rest the private JWK is sealed with AES-256-GCM under a key derived from the master key for
// this purpose only; the tenant id and the kid are the additional authenticated data, so a sealed
// key copied to another row or tenant does not open.
import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { deriveKey, openString, sealString } from '../secrets.ts';
import { createAuditLog, type AuditLog } from '../audit/audit-log.ts';
import type { RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import type { Clock, SigningAlg, SigningKey, SigningKeyStatus, Store, TenantId } from '../ports.ts';

/** Every alg a tenant has keys for; the first is the default signing alg. */
export const SIGNING_ALGS: readonly SigningAlg[] = ['ES256', 'EdDSA', 'RS256'];
export const DEFAULT_SIGNING_ALG: SigningAlg = 'ES256';

export function isSigningAlg(value: unknown): value is SigningAlg {
  return typeof value === 'string' && (SIGNING_ALGS as readonly string[]).includes(value);
}

/** What may be shown about a key: no private material. */
export interface SigningKeyInfo {
  kid: string;
  alg: SigningAlg;
  status: SigningKeyStatus;
  createdAt: number;
  activatedAt: number | null;
  retireAfter: number | null;
  publicJwk: JWK;
}

export interface RotationResult {
  alg: SigningAlg;
  /** The new active key: it was `next`, so relying parties have already seen it in the JWKS. */
  active: string;
  /** The previously active key, now retired and still published until `retireAfter`. */
  retired: string;
  retireAfter: number;
  /** The freshly generated next key. */
  next: string;
}

export interface SigningKeyService {
  /** Creates whatever is missing of: an active and a next key for every alg. Safe to call concurrently, from any node. Returns the kids created. */
  ensureKeys(tenantId: TenantId): Promise<string[]>;
  /** Private JWKs for oidc-provider's `jwks`: active keys first (the provider signs with the first key of an alg), then next, then retired ones still within retire_after. */
  jwks(tenantId: TenantId): Promise<{ keys: JWK[] }>;
  /** active → retired, next → active, new next; in one transaction. Audited when `ctx` is given. */
  rotate(tenantId: TenantId, alg?: SigningAlg, ctx?: RequestContext): Promise<RotationResult>;
  /** Changes whenever the published key set changes (a rotation, a key created, a retired key aging out). */
  version(tenantId: TenantId): Promise<string>;
  /** Every stored key of the tenant, in JWKS order then expired retired ones; public data only. */
  list(tenantId: TenantId): Promise<SigningKeyInfo[]>;
}

export interface SigningKeyDeps {
  store: Store;
  clock: Clock;
  /** The deployment root key; the private keys are sealed under a key derived from it. */
  rootKey: Buffer;
  /** Longest lifetime of anything signed with these keys: a retired key stays published this long. */
  maxTokenLifetimeSeconds: number;
  /** Defaults to an audit log over `store` and `clock`. */
  audit?: AuditLog;
}

/** A sealed private key that does not open: wrong master key, or a row altered or moved. */
export class SigningKeyUnreadableError extends Error {
  constructor(tenantId: TenantId, kid: string, cause?: unknown) {
    super(`signing key ${kid} of tenant ${tenantId} cannot be decrypted (wrong master key, or the stored key was altered or moved)`, { cause });
    this.name = 'SigningKeyUnreadableError';
  }
}

// ---------------------------------------------------------------------------------------------
// Sealing: "v1.<iv>.<tag>.<ciphertext>", each part base64url.

const SEAL_VERSION = 'v1';

function aad(tenantId: TenantId, kid: string): string {
  // JSON keeps the two values apart whatever they contain.
  return `frontdoor:signing-key:${SEAL_VERSION}:${JSON.stringify([tenantId, kid])}`;
}

function seal(key: Buffer, tenantId: TenantId, kid: string, jwk: JWK): string {
  return sealString(key, JSON.stringify(jwk), aad(tenantId, kid));
}

function open(key: Buffer, row: SigningKey): JWK {
  try {
    const jwk = JSON.parse(openString(key, row.privateJwk, aad(row.tenantId, row.id))) as JWK;
    if (jwk.kid !== row.id) throw new Error('kid mismatch');
    return { ...jwk, kid: row.id, alg: row.alg, use: 'sig' };
  } catch (error) {
    throw new SigningKeyUnreadableError(row.tenantId, row.id, error);
  }
}

// ---------------------------------------------------------------------------------------------

interface FreshKey {
  kid: string;
  alg: SigningAlg;
  privateJwk: JWK;
  publicJwk: JWK;
}

async function generate(alg: SigningAlg): Promise<FreshKey> {
  // EdDSA is Ed25519; RSA keys are 2048 bits (jose's minimum and default).
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  return { kid, alg, privateJwk: { ...privateJwk, kid, alg, use: 'sig' }, publicJwk: { ...publicJwk, kid, alg, use: 'sig' } };
}

const RANK: Record<SigningKeyStatus, number> = { active: 0, next: 1, retired: 2 };

/** JWKS order: active, next, retired; by alg (default first) within active and next; the most recently retired first. */
function publishOrder(a: SigningKey, b: SigningKey): number {
  return (
    RANK[a.status] - RANK[b.status] ||
    SIGNING_ALGS.indexOf(a.alg) - SIGNING_ALGS.indexOf(b.alg) ||
    (b.retireAfter ?? 0) - (a.retireAfter ?? 0) ||
    b.createdAt - a.createdAt ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

const isPublished = (key: SigningKey, now: number) => key.status !== 'retired' || (key.retireAfter !== null && key.retireAfter > now);

type Slot = { alg: SigningAlg; status: 'active' | 'next' };

function missingSlots(keys: SigningKey[]): Slot[] {
  const slots: Slot[] = [];
  for (const alg of SIGNING_ALGS) {
    for (const status of ['active', 'next'] as const) {
      if (!keys.some((k) => k.alg === alg && k.status === status)) slots.push({ alg, status });
    }
  }
  return slots;
}

export function createSigningKeyService(deps: SigningKeyDeps): SigningKeyService {
  const { store, clock } = deps;
  const sealingKey = deriveKey(deps.rootKey, 'signing-keys');
  const audit = deps.audit ?? createAuditLog({ store, clock });
  const retention = deps.maxTokenLifetimeSeconds * 1000;

  function toRow(tenantId: TenantId, key: FreshKey, status: 'active' | 'next', now: number): SigningKey {
    return {
      id: key.kid,
      tenantId,
      alg: key.alg,
      status,
      privateJwk: seal(sealingKey, tenantId, key.kid, key.privateJwk),
      publicJwk: key.publicJwk as Record<string, unknown>,
      createdAt: now,
      activatedAt: status === 'active' ? now : null,
      retireAfter: null,
      updatedAt: now,
    };
  }

  async function ensureKeys(tenantId: TenantId): Promise<string[]> {
    const now = clock.now();
    const existing = await store.signingKeys.list(tenantId);
    if (existing.some((k) => !isPublished(k, now))) await store.signingKeys.deleteExpired(tenantId, now);
    const missing = missingSlots(existing);
    if (missing.length === 0) return [];
    // Key generation (RSA takes a while) happens before the transaction, not while holding the lock.
    const fresh = await Promise.all(missing.map(async (slot) => ({ slot, key: await generate(slot.alg) })));
    return store.transaction(async (tx) => {
      if (!(await tx.signingKeys.lock(tenantId))) throw new FrontdoorError('tenant.not_found');
      // Re-check under the lock: another node may have created some of them meanwhile.
      const created: string[] = [];
      const at = clock.now();
      for (const slot of missingSlots(await tx.signingKeys.list(tenantId))) {
        const key = fresh.find((f) => f.slot.alg === slot.alg && f.slot.status === slot.status)?.key ?? (await generate(slot.alg));
        await tx.signingKeys.create(toRow(tenantId, key, slot.status, at));
        created.push(key.kid);
      }
      return created;
    });
  }

  async function rotate(tenantId: TenantId, alg: SigningAlg = DEFAULT_SIGNING_ALG, ctx?: RequestContext): Promise<RotationResult> {
    if (!isSigningAlg(alg)) throw new FrontdoorError('request.invalid', { field: 'alg', detail: `alg must be one of ${SIGNING_ALGS.join(', ')}` });
    await ensureKeys(tenantId);
    const fresh = await generate(alg);
    const result = await store.transaction(async (tx) => {
      if (!(await tx.signingKeys.lock(tenantId))) throw new FrontdoorError('tenant.not_found');
      const now = clock.now();
      const keys = await tx.signingKeys.list(tenantId);
      const active = keys.find((k) => k.alg === alg && k.status === 'active');
      const next = keys.find((k) => k.alg === alg && k.status === 'next');
      if (!active || !next) throw new Error(`tenant ${tenantId} has no ${active ? 'next' : 'active'} ${alg} key to rotate`);
      const retireAfter = now + retention;
      // In this order no statement ever sees two active or two next keys of one alg.
      const retired = await tx.signingKeys.transition(tenantId, active.id, 'active', 'retired', { retireAfter }, now);
      const promoted = retired && (await tx.signingKeys.transition(tenantId, next.id, 'next', 'active', { activatedAt: now }, now));
      if (!promoted) throw new Error(`signing keys of tenant ${tenantId} changed during rotation`);
      await tx.signingKeys.create(toRow(tenantId, fresh, 'next', now));
      await tx.signingKeys.deleteExpired(tenantId, now);
      return { alg, active: next.id, retired: active.id, retireAfter, next: fresh.kid };
    });
    if (ctx) {
      await audit.record(ctx, {
        tenantId,
        action: 'keys.rotated',
        result: 'success',
        subject: result.active,
        details: { alg, activated: result.active, retired: result.retired, next: result.next, retire_after: result.retireAfter },
      });
    }
    return result;
  }

  return {
    ensureKeys,
    rotate,
    async jwks(tenantId) {
      const now = clock.now();
      const keys = (await store.signingKeys.list(tenantId)).filter((k) => isPublished(k, now)).sort(publishOrder);
      return { keys: keys.map((k) => open(sealingKey, k)) };
    },
    async version(tenantId) {
      const states = await store.signingKeys.states(tenantId, clock.now());
      const digest = createHash('sha256')
        .update(states.map((s) => `${s.id}:${s.status}`).sort().join('\n'))
        .digest('base64url')
        .slice(0, 16);
      return `${states.length}.${Math.max(0, ...states.map((s) => s.updatedAt))}.${digest}`;
    },
    async list(tenantId) {
      const now = clock.now();
      const keys = await store.signingKeys.list(tenantId);
      const published = keys.filter((k) => isPublished(k, now)).sort(publishOrder);
      const expired = keys.filter((k) => !isPublished(k, now)).sort(publishOrder);
      return [...published, ...expired].map((k) => ({
        kid: k.id,
        alg: k.alg,
        status: k.status,
        createdAt: k.createdAt,
        activatedAt: k.activatedAt,
        retireAfter: k.retireAfter,
        publicJwk: k.publicJwk as JWK,
      }));
    },
  };
}
