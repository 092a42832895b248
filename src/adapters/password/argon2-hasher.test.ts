import { afterEach, describe, expect, it, vi } from 'vitest';
import { hash as argon2Hash, type Algorithm, type Version } from '@node-rs/argon2';
import { FrontdoorError } from '../../core/errors.ts';
import { createArgon2Hasher, parseArgon2Phc } from './argon2-hasher.ts';

// Pass-through, recording which stored hash each verification ran against.
const verifiedAgainst = vi.hoisted(() => [] as string[]);
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const original = await importOriginal<typeof import('@node-rs/argon2')>();
  return {
    ...original,
    verify: (stored: string | Uint8Array, password: string | Uint8Array) => {
      verifiedAgainst.push(String(stored));
      return original.verify(stored, password);
    },
  };
});

afterEach(() => {
  verifiedAgainst.length = 0;
});

// The OWASP minimum: as cheap as a test can hash while staying within policy.
const MIN = { memoryCostKiB: 19456, timeCost: 2, parallelism: 1 };
const ARGON2I = 1 as Algorithm;
const V0x10 = 0 as Version;

async function errorOf(promise: Promise<unknown>): Promise<FrontdoorError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FrontdoorError);
  return error as FrontdoorError;
}

describe('argon2id password hashing (OWASP minimum m=19456 KiB, t=2, p=1)', () => {
  const hasher = createArgon2Hasher(MIN);

  it('stores an argon2id PHC string with the configured parameters', async () => {
    const stored = await hasher.hash('correct horse battery staple');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hasher.hash('same password here'), hasher.hash('same password here')]);
    expect(a).not.toBe(b);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hasher.hash('correct horse battery staple');
    expect(await hasher.verify(stored, 'correct horse battery staple')).toEqual({ ok: true, needsRehash: false });
    expect((await hasher.verify(stored, 'correct horse battery stapler')).ok).toBe(false);
  });

  it('refuses parameters below the OWASP minimum at creation', () => {
    for (const weak of [
      { ...MIN, memoryCostKiB: 19455 },
      { ...MIN, timeCost: 1 },
      { ...MIN, parallelism: 0 },
      { ...MIN, timeCost: 2.5 },
    ]) {
      expect(() => createArgon2Hasher(weak), JSON.stringify(weak)).toThrow(
        expect.objectContaining({ code: 'config.invalid' }),
      );
    }
  });
});

describe('Upgrading weaker stored hashes (needsRehash)', () => {
  it('flags a hash with a lower time cost, and still verifies it', async () => {
    const stored = await argon2Hash('old password 123', { memoryCost: 19456, timeCost: 2, parallelism: 1 });
    const hasher = createArgon2Hasher({ ...MIN, timeCost: 3 });
    expect(await hasher.verify(stored, 'old password 123')).toEqual({ ok: true, needsRehash: true });
  });

  it('flags a hash with a lower memory cost', async () => {
    const stored = await argon2Hash('old password 123', { memoryCost: 19456, timeCost: 2, parallelism: 1 });
    const hasher = createArgon2Hasher({ ...MIN, memoryCostKiB: 20480 });
    expect(await hasher.verify(stored, 'old password 123')).toEqual({ ok: true, needsRehash: true });
  });

  it('flags a hash with a lower parallelism', async () => {
    const stored = await argon2Hash('old password 123', { memoryCost: 19456, timeCost: 2, parallelism: 1 });
    const hasher = createArgon2Hasher({ ...MIN, parallelism: 2 });
    expect(await hasher.verify(stored, 'old password 123')).toEqual({ ok: true, needsRehash: true });
  });

  it('flags a hash that is not argon2id', async () => {
    const stored = await argon2Hash('old password 123', { memoryCost: 19456, timeCost: 2, algorithm: ARGON2I });
    expect(stored.startsWith('$argon2i$')).toBe(true);
    expect(await createArgon2Hasher(MIN).verify(stored, 'old password 123')).toEqual({ ok: true, needsRehash: true });
  });

  it('flags an argon2 version 0x10 hash', async () => {
    const stored = await argon2Hash('old password 123', { memoryCost: 19456, timeCost: 2, version: V0x10 });
    expect(await createArgon2Hasher(MIN).verify(stored, 'old password 123')).toEqual({ ok: true, needsRehash: true });
  });

  it('does not flag a hash stronger than the current parameters', async () => {
    const stored = await argon2Hash('new password 123', { memoryCost: 19456, timeCost: 3, parallelism: 1 });
    expect(await createArgon2Hasher(MIN).verify(stored, 'new password 123')).toEqual({ ok: true, needsRehash: false });
  });
});

describe('Malformed stored hashes', () => {
  const hasher = createArgon2Hasher(MIN);

  it.each([
    ['empty', ''],
    ['plain text', 'not a hash'],
    ['bcrypt', '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW'],
    ['missing parameters', '$argon2id$v=19$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNo'],
    ['undecodable salt', '$argon2id$v=19$m=19456,t=2,p=1$abc$def'],
  ])('answers ok false and needsRehash true for %s, without throwing', async (_name, stored) => {
    expect(await hasher.verify(stored, 'any password at all')).toEqual({ ok: false, needsRehash: true });
  });

  it('reads the parameters of a PHC string', () => {
    expect(parseArgon2Phc('$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA')).toEqual({
      algorithm: 'argon2id',
      version: 19,
      memoryCostKiB: 19456,
      timeCost: 2,
      parallelism: 1,
    });
    expect(parseArgon2Phc('$argon2i$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaA')?.version).toBe(16);
    expect(parseArgon2Phc('$scrypt$ln=16,r=8,p=1$c2FsdA$aGFzaA')).toBeNull();
  });
});

describe('Dummy verification for unknown accounts (timing must not tell)', () => {
  it('verifies against a hash made with the current parameters, once', async () => {
    const hasher = createArgon2Hasher({ ...MIN, timeCost: 3 });
    await expect(hasher.verifyDummy('guess number one')).resolves.toBeUndefined();
    await hasher.verifyDummy('guess number two');

    expect(verifiedAgainst).toHaveLength(2);
    expect(verifiedAgainst[0]).toMatch(/^\$argon2id\$v=19\$m=19456,t=3,p=1\$/);
    expect(verifiedAgainst[1]).toBe(verifiedAgainst[0]);
  });
});

describe('Bounded hashing load', () => {
  it('answers server.busy when every slot is taken and the queue is full', async () => {
    const hasher = createArgon2Hasher({ ...MIN, maxConcurrent: 1, maxQueue: 0 });
    const first = hasher.hash('first password here');
    const error = await errorOf(hasher.hash('second password here'));
    expect(error.code).toBe('server.busy');
    expect(error.retryAfterSeconds).toBe(1);
    expect(await first).toMatch(/^\$argon2id\$/);
  });

  it('counts verifications and dummy verifications against the same bound', async () => {
    const hasher = createArgon2Hasher({ ...MIN, maxConcurrent: 1, maxQueue: 0 });
    const stored = await hasher.hash('a password for this');
    await hasher.verifyDummy('warm up the dummy hash');

    const running = hasher.verify(stored, 'a password for this');
    expect((await errorOf(hasher.verify(stored, 'a password for this'))).code).toBe('server.busy');
    expect((await errorOf(hasher.verifyDummy('someone unknown'))).code).toBe('server.busy');
    expect((await running).ok).toBe(true);
  });

  it('queues instead of refusing while there is room', async () => {
    const hasher = createArgon2Hasher({ ...MIN, maxConcurrent: 1, maxQueue: 2 });
    const hashes = await Promise.all(['one pass phrase', 'two pass phrase', 'three pass phrase'].map((p) => hasher.hash(p)));
    expect(hashes).toHaveLength(3);
  });
});
