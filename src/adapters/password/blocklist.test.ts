import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkNewPassword } from '../../core/credentials/password-policy.ts';
import { loadPasswordBlocklist } from './blocklist.ts';

describe('Password blocklist (NIST SP 800-63B-4: ≥ 100k common and breached values)', () => {
  it('holds at least 100,000 entries', async () => {
    const blocklist = await loadPasswordBlocklist();
    expect(blocklist.size).toBeGreaterThanOrEqual(100_000);
  });

  it('finds common passwords whatever their case', async () => {
    const blocklist = await loadPasswordBlocklist();
    for (const password of ['password123', 'iloveyou1', 'PassWord123', 'QWERTY123456']) {
      expect(blocklist.has(password), password).toBe(true);
    }
  });

  it('drops entries shorter than the length floor, which length already refuses', async () => {
    const blocklist = await loadPasswordBlocklist();
    expect(blocklist.has('123456')).toBe(false);
    expect(blocklist.has('12345678')).toBe(true);
  });

  it('cleans stray line endings from the source file', async () => {
    // In the data only as "backupexec\r" and "40232046bad " respectively.
    const blocklist = await loadPasswordBlocklist();
    expect(blocklist.has('backupexec')).toBe(true);
    expect(blocklist.has('40232046bad')).toBe(true);
  });

  it('does not find a random 20-character string', async () => {
    const blocklist = await loadPasswordBlocklist();
    const random = randomBytes(15).toString('base64url');
    expect(random).toHaveLength(20);
    expect(blocklist.has(random)).toBe(false);
  });

  it('is loaded once per process', async () => {
    const [first, second] = await Promise.all([loadPasswordBlocklist(), loadPasswordBlocklist()]);
    expect(second).toBe(first);
    expect(await loadPasswordBlocklist()).toBe(first);
  });

  it('makes the password policy refuse a common password', async () => {
    const blocklist = await loadPasswordBlocklist();
    expect(() => checkNewPassword('Password123', { email: 'bob@example.com', minLength: 8, blocklist })).toThrow(
      expect.objectContaining({ code: 'password.common' }),
    );
  });
});
