// Signed checkpoints of a tenant's audit chain. The chain's hashes are unkeyed: whoever can write
// the database could change rows and rebuild every link after them. A checkpoint is the chain's
// link at a place, signed (JWS) with the tenant's OIDC signing key, whose private part only opens
// with the master key; a rebuilt chain no longer matches it. An exported log (audit-export.ts) is
// checked offline against the keys the tenant publishes at its issuer's JWKS endpoint.
import { CompactSign, compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import type { SigningKeyService } from '../keys/signing-keys.ts';
import type { AuditChainLink, AuditCheckpoint, Clock, Store, TenantId } from '../ports.ts';

/** The JWS `typ`: a checkpoint is not a token and no token verifier should take it for one. */
export const AUDIT_CHECKPOINT_TYPE = 'frontdoor-audit-checkpoint+jwt';
/** A new checkpoint at most this often per tenant while its chain grows. */
export const AUDIT_CHECKPOINT_INTERVAL_MS = 60_000;

export interface AuditCheckpointClaims {
  iss: string;
  /** The tenant. */
  sub: TenantId;
  seq: number;
  hash: string;
  /** Seconds. */
  iat: number;
}

export interface AuditCheckpointDeps {
  store: Store;
  clock: Clock;
  signingKeys: SigningKeyService;
  /** The tenant's issuer, the `iss` of its checkpoints. */
  issuerOf(tenantId: TenantId): string;
}

/**
 * Signs the chain's current head, unless a checkpoint already covers it or (with `minIntervalMs`)
 * the last one is that recent. Returns the latest checkpoint (null before the first sealed row) and
 * whether the chain has grown past it. Several nodes may race: one checkpoint per place is kept.
 */
export async function signAuditCheckpoint(deps: AuditCheckpointDeps, tenantId: TenantId, options: { minIntervalMs?: number } = {}): Promise<{ checkpoint: AuditCheckpoint | null; behind: boolean }> {
  const [head, latest] = await Promise.all([deps.store.audit.chainHead(tenantId), deps.store.audit.latestCheckpoint(tenantId)]);
  if (!head || head.seq === 0) return { checkpoint: latest, behind: false };
  const now = deps.clock.now();
  if (latest && latest.seq >= head.seq) return { checkpoint: latest, behind: false };
  if (latest && now - latest.signedAt < (options.minIntervalMs ?? 0)) return { checkpoint: latest, behind: true };
  return { checkpoint: await signAuditCheckpointAt(deps, tenantId, head), behind: false };
}

/** Signs the chain's link at one place (the head, or where retention makes the chain begin) and keeps it. */
export async function signAuditCheckpointAt(deps: AuditCheckpointDeps, tenantId: TenantId, link: AuditChainLink): Promise<AuditCheckpoint> {
  const now = deps.clock.now();
  let { keys } = await deps.signingKeys.jwks(tenantId);
  if (keys.length === 0) {
    await deps.signingKeys.ensureKeys(tenantId);
    ({ keys } = await deps.signingKeys.jwks(tenantId));
  }
  // Active keys come first; the default algorithm's first of all.
  const jwk = keys[0];
  if (!jwk?.kid || !jwk.alg) throw new Error(`tenant ${tenantId} has no signing key for audit checkpoints`);
  const claims: AuditCheckpointClaims = { iss: deps.issuerOf(tenantId), sub: tenantId, seq: link.seq, hash: link.hash, iat: Math.floor(now / 1000) };
  const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: jwk.alg, kid: jwk.kid, typ: AUDIT_CHECKPOINT_TYPE })
    .sign(await importJWK(jwk, jwk.alg));
  const checkpoint: AuditCheckpoint = { tenantId, seq: link.seq, hash: link.hash, signedAt: now, kid: jwk.kid, jws };
  await deps.store.audit.addCheckpoint(checkpoint);
  return checkpoint;
}

export type AuditCheckpointVerdict = { result: 'valid'; claims: AuditCheckpointClaims; kid: string } | { result: 'unknown_key' | 'invalid' };

/** Checks a checkpoint's signature against public keys (a JWKS's `keys`). */
export async function verifyAuditCheckpoint(jws: string, keys: JWK[]): Promise<AuditCheckpointVerdict> {
  let kid: string | undefined;
  try {
    const header = decodeProtectedHeader(jws);
    if (header.typ !== AUDIT_CHECKPOINT_TYPE || typeof header.kid !== 'string' || typeof header.alg !== 'string') return { result: 'invalid' };
    kid = header.kid;
  } catch {
    return { result: 'invalid' };
  }
  const jwk = keys.find((k) => k.kid === kid);
  if (!jwk) return { result: 'unknown_key' };
  try {
    // Only the public part: a private JWK given by mistake must not be what verifies.
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
    const key = await importJWK(publicJwk, jwk.alg);
    const { payload } = await compactVerify(jws, key, { algorithms: jwk.alg ? [jwk.alg] : undefined });
    const claims = JSON.parse(new TextDecoder().decode(payload)) as AuditCheckpointClaims;
    if (typeof claims.sub !== 'string' || !Number.isSafeInteger(claims.seq) || typeof claims.hash !== 'string' || !Number.isSafeInteger(claims.iat)) return { result: 'invalid' };
    return { result: 'valid', claims, kid };
  } catch {
    return { result: 'invalid' };
  }
}

/** The tenant's public signing keys, published and aged out alike (checkpoints outlive tokens). */
export async function publicSigningKeys(signingKeys: SigningKeyService, tenantId: TenantId): Promise<JWK[]> {
  return (await signingKeys.list(tenantId)).map((k) => k.publicJwk);
}
