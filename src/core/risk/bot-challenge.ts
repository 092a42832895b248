// The bot challenge: a proof of work (ALTCHA v2, `altcha-lib`, self-hosted — no third party sees
// the customer). The browser derives PBKDF2 keys for counter 0, 1, 2… until one matches the
// challenge's prefix; the server knows the counter it chose and checks with one HMAC. The work a
// client must do grows with the risk score, so a person on a slightly odd connection waits a moment
// while a bot trying thousands of accounts pays for every one. Challenges are signed (tenant and
// purpose inside), expire, and are single use.
import { createChallenge, verifySolution, type Challenge, type Payload } from 'altcha-lib';
import { deriveKey as pbkdf2 } from 'altcha-lib/algorithms/pbkdf2';
import type { Clock, Store, Tenant } from '../ports.ts';
import { hashToken } from '../secrets.ts';

export const BOT_CHALLENGE_SECONDS = 600;
const ALGORITHM = 'PBKDF2/SHA-256';
/** PBKDF2 iterations per try: about a tenth of a millisecond of a phone's time. */
const COST = 200;

export type BotChallengePurpose = 'sign_in' | 'registration' | 'recovery';

export interface BotChallengeService {
  /** A challenge whose expected work grows with `score` (0..100). */
  create(tenant: Tenant, purpose: BotChallengePurpose, score: number): Promise<Challenge>;
  /** `passed` for a right, live, unused answer to one of our challenges for this tenant and purpose; `failed` for any other answer; null for none. */
  verify(tenant: Tenant, purpose: BotChallengePurpose, answer: unknown): Promise<'passed' | 'failed' | null>;
}

/**
 * Expected tries for a score: from a few hundred at the challenge threshold to tens of thousands
 * when the score is near certain abuse (each try costs COST PBKDF2 iterations).
 */
export function triesFor(score: number): { min: number; max: number } {
  const s = Math.max(0, Math.min(100, score));
  const max = Math.round(500 * Math.pow(1.08, s - 40));
  return { min: Math.max(50, Math.round(max / 2)), max: Math.max(100, max) };
}

export function createBotChallengeService(deps: { store: Store; clock: Clock; key: Buffer }): BotChallengeService {
  const signatureSecret = deps.key.toString('base64url');
  // A second secret signs the derived key, so checking an answer is one HMAC, not the client's work again.
  const keySignatureSecret = hashToken(`${signatureSecret}:key`);

  return {
    async create(tenant, purpose, score) {
      const { min, max } = triesFor(score);
      const counter = min + Math.floor(Math.random() * (max - min));
      return createChallenge({
        algorithm: ALGORITHM,
        cost: COST,
        counter,
        deriveKey: pbkdf2,
        expiresAt: Math.floor(deps.clock.now() / 1000) + BOT_CHALLENGE_SECONDS,
        data: { tenant: tenant.id, purpose },
        hmacSignatureSecret: signatureSecret,
        hmacKeySignatureSecret: keySignatureSecret,
      });
    },

    async verify(tenant, purpose, answer) {
      if (answer === undefined || answer === null || answer === '') return null;
      const payload = parseAnswer(answer);
      if (!payload) return 'failed';
      const { challenge, solution } = payload;
      const data = challenge.parameters.data ?? {};
      if (data.tenant !== tenant.id || data.purpose !== purpose) return 'failed';
      const expiresAt = challenge.parameters.expiresAt;
      if (typeof expiresAt !== 'number' || expiresAt * 1000 <= deps.clock.now()) return 'failed';
      let verified = false;
      try {
        const result = await verifySolution({ challenge, solution, deriveKey: pbkdf2, hmacSignatureSecret: signatureSecret, hmacKeySignatureSecret: keySignatureSecret });
        verified = result.verified;
      } catch {
        verified = false;
      }
      if (!verified) return 'failed';
      // Single use: the same answer sent twice is a replay.
      const fresh = await deps.store.webauthnChallenges.markUsed(tenant.id, hashToken(`bot:${challenge.signature ?? ''}`), expiresAt * 1000);
      return fresh ? 'passed' : 'failed';
    },
  };
}

/** The form field or API value: base64 (or plain) JSON of `{ challenge, solution }`. */
function parseAnswer(answer: unknown): Payload | null {
  try {
    let value: unknown = answer;
    if (typeof value === 'string') {
      if (value.length > 8192) return null;
      const text = value.trim().startsWith('{') ? value : Buffer.from(value, 'base64').toString('utf8');
      value = JSON.parse(text);
    }
    const p = value as Payload;
    if (!p || typeof p !== 'object' || !p.challenge || typeof p.challenge !== 'object' || !p.solution || typeof p.solution !== 'object') return null;
    if (typeof p.challenge.parameters !== 'object' || p.challenge.parameters === null || typeof p.challenge.signature !== 'string') return null;
    return p;
  } catch {
    return null;
  }
}
