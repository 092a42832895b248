// WebAuthn challenges without a write per page view: a challenge is 16 random bytes, its expiry
// and a MAC over both and what it was issued for (tenant, purpose, and the session or sign-in
// flow it belongs to). The server checks the MAC and the expiry when the answer comes back; only
// then is the challenge recorded as used, so it cannot be answered twice.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const CHALLENGE_SECONDS = 300;
const NONCE_BYTES = 16;
const MAC_BYTES = 16;
const LENGTH = NONCE_BYTES + 8 + MAC_BYTES;

export type ChallengePurpose = 'sign_in' | 'second_factor' | 'register' | 'reauth';

/** What a challenge was issued for: one issued for a purpose or subject is refused for another. */
export interface ChallengeBinding {
  tenantId: string;
  purpose: ChallengePurpose;
  /** The sign-in flow (second factor) or session (register, reauth) it belongs to; '' for a sign-in. */
  subject: string;
}

function mac(key: Buffer, binding: ChallengeBinding, body: Buffer): Buffer {
  return createHmac('sha256', key).update(`${binding.tenantId}\n${binding.purpose}\n${binding.subject}\n`, 'utf8').update(body).digest().subarray(0, MAC_BYTES);
}

export function issueChallenge(key: Buffer, binding: ChallengeBinding, nowMs: number): Uint8Array<ArrayBuffer> {
  const body = Buffer.alloc(NONCE_BYTES + 8);
  randomBytes(NONCE_BYTES).copy(body);
  body.writeBigUInt64BE(BigInt(nowMs + CHALLENGE_SECONDS * 1000), NONCE_BYTES);
  const challenge = new Uint8Array(LENGTH);
  challenge.set(body, 0);
  challenge.set(mac(key, binding, body), body.length);
  return challenge;
}

/** The challenge's expiry when it is ours, for this binding and not expired; null otherwise. */
export function checkChallenge(key: Buffer, binding: ChallengeBinding, challenge: string, nowMs: number): { expiresAt: number } | null {
  if (typeof challenge !== 'string' || challenge.length > 128) return null;
  const bytes = Buffer.from(challenge, 'base64url');
  if (bytes.length !== LENGTH || bytes.toString('base64url') !== challenge) return null;
  const body = bytes.subarray(0, NONCE_BYTES + 8);
  if (!timingSafeEqual(mac(key, binding, body), bytes.subarray(NONCE_BYTES + 8))) return null;
  const expiresAt = Number(body.readBigUInt64BE(NONCE_BYTES));
  return expiresAt > nowMs ? { expiresAt } : null;
}
