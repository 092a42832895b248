// Requirement: passwords are stored as argon2id at no less than OWASP's minimum (m=19456 KiB, t=2,
// p=1), weaker stored hashes are flagged for upgrade, and hashing load is bounded so a burst of
// sign-ins answers "busy" instead of exhausting memory and the libuv pool.

import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { hash as argon2Hash, verify as argon2Verify, type Algorithm, type Options } from '@node-rs/argon2';
import { FrontdoorError } from '../../core/errors.ts';
import type { PasswordHasher } from '../../core/ports.ts';
import { createWorkQueue } from './work-queue.ts';

/** OWASP Password Storage Cheat Sheet, argon2id minimum. */
export const OWASP_MIN_MEMORY_COST_KIB = 19456;
export const OWASP_MIN_TIME_COST = 2;
export const OWASP_MIN_PARALLELISM = 1;

// The package declares its enum `const`, which type stripping cannot inline; 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;
// Argon2 version 0x13 (19); 0x10 hashes predate a fix to the memory-filling pass.
const CURRENT_VERSION = 19;

export interface Argon2HasherOptions {
  memoryCostKiB: number;
  timeCost: number;
  parallelism: number;
  /** Hashes and verifications in flight at once; default `os.availableParallelism()`. */
  maxConcurrent?: number;
  /** Operations allowed to wait for a slot before callers get `server.busy`; default 64. */
  maxQueue?: number;
  /** Longest wait for a slot before `server.busy`; default 5000. */
  queueTimeoutMs?: number;
}

export interface PhcArgon2Parameters {
  algorithm: 'argon2id' | 'argon2i' | 'argon2d';
  version: number;
  memoryCostKiB: number;
  timeCost: number;
  parallelism: number;
}

// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>; the version field is absent in v=16 hashes.
const PHC_ARGON2 = /^\$(argon2id|argon2i|argon2d)\$(?:v=(\d{1,3})\$)?m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,3})\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

/** Reads the parameters of an argon2 PHC string; null when it is not one. */
export function parseArgon2Phc(phc: string): PhcArgon2Parameters | null {
  const match = PHC_ARGON2.exec(phc);
  if (match === null) return null;
  const [, algorithm, version, m, t, p] = match;
  return {
    algorithm: algorithm as PhcArgon2Parameters['algorithm'],
    version: version === undefined ? 16 : Number(version),
    memoryCostKiB: Number(m),
    timeCost: Number(t),
    parallelism: Number(p),
  };
}

function requireAtLeast(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new FrontdoorError('config.invalid', { detail: `argon2: ${name} must be an integer ≥ ${min} (OWASP), got ${value}` });
  }
}

const MALFORMED = { ok: false, needsRehash: true } as const;

export function createArgon2Hasher(options: Argon2HasherOptions): PasswordHasher {
  requireAtLeast('memoryCostKiB', options.memoryCostKiB, OWASP_MIN_MEMORY_COST_KIB);
  requireAtLeast('timeCost', options.timeCost, OWASP_MIN_TIME_COST);
  requireAtLeast('parallelism', options.parallelism, OWASP_MIN_PARALLELISM);

  const argon2Options: Options = {
    algorithm: ARGON2ID,
    memoryCost: options.memoryCostKiB,
    timeCost: options.timeCost,
    parallelism: options.parallelism,
  };
  // Each operation holds memoryCostKiB of RAM and a libuv thread: the queue bounds both.
  const queue = createWorkQueue({
    maxConcurrent: options.maxConcurrent ?? availableParallelism(),
    maxQueue: options.maxQueue ?? 64,
    queueTimeoutMs: options.queueTimeoutMs ?? 5000,
  });

  function belowPolicy(stored: PhcArgon2Parameters): boolean {
    return (
      stored.algorithm !== 'argon2id' ||
      stored.version < CURRENT_VERSION ||
      stored.memoryCostKiB < options.memoryCostKiB ||
      stored.timeCost < options.timeCost ||
      stored.parallelism < options.parallelism
    );
  }

  function hash(password: string): Promise<string> {
    return queue.run(() => argon2Hash(password, argon2Options));
  }

  async function verify(stored: string, password: string): Promise<{ ok: boolean; needsRehash: boolean }> {
    const parameters = parseArgon2Phc(stored);
    if (parameters === null) return MALFORMED;
    // A stored string can pass the pattern and still not decode (salt too short, bad base64):
    // that is a bad row, not a server failure. Busy errors from the queue still propagate.
    const ok = await queue.run(() => argon2Verify(stored, password).catch(() => undefined));
    if (ok === undefined) return MALFORMED;
    return { ok, needsRehash: belowPolicy(parameters) };
  }

  // Made on first use, with the current parameters, from a secret nobody knows, so a dummy
  // verification costs what a real one does and can never succeed.
  let dummyHash: Promise<string> | undefined;
  function getDummyHash(): Promise<string> {
    dummyHash ??= hash(randomBytes(32).toString('base64url')).catch((error: unknown) => {
      dummyHash = undefined;
      throw error;
    });
    return dummyHash;
  }

  async function verifyDummy(password: string): Promise<void> {
    // Obtained before taking a slot: hashing it inside one would wait on ourselves.
    const stored = await getDummyHash();
    await queue.run(() => argon2Verify(stored, password));
  }

  return { hash, verify, verifyDummy };
}
