// The master key: from FRONTDOOR_MASTER_KEY, or generated once into the data dir for an embedded
// start. It only wraps keys (see storage/personal-data-vault.ts); earlier master keys are kept
// while `frontdoor keys rotate-master` re-wraps what they wrapped.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMasterKey, type Config } from './config.ts';

export interface MasterKeys {
  current: Buffer;
  previous: Buffer[];
}

const keyFile = (config: Config) => join(config.dataDir, 'master.key');
// Holds the key being rotated away from, from the moment the new key is written until every
// wrapped key is re-wrapped (so a rotation cut short is finished by running it again).
const previousKeyFile = (config: Config) => join(config.dataDir, 'master.key.previous');

export function loadOrCreateMasterKeys(config: Config): MasterKeys {
  if (config.masterKey) return { current: config.masterKey, previous: config.previousMasterKeys };
  const file = keyFile(config);
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  }
  const current = decodeMasterKey(readFileSync(file, 'utf8'), file);
  const previousFile = previousKeyFile(config);
  const previous = existsSync(previousFile) ? [decodeMasterKey(readFileSync(previousFile, 'utf8'), previousFile)] : [];
  return { current, previous };
}

/**
 * Embedded start only (no FRONTDOOR_MASTER_KEY): a new master key replaces the data dir's, and
 * the old one is kept in master.key.previous until `forgetPreviousMasterKey`.
 */
export function replaceMasterKeyFile(config: Config): MasterKeys {
  const { current, previous } = loadOrCreateMasterKeys(config);
  // A rotation cut short after its new key was written: finish it with that key.
  if (previous.length > 0 && !previous.some((key) => key.equals(current))) return { current, previous };
  // Cut short before: start again.
  forgetPreviousMasterKey(config);
  writeFileSync(previousKeyFile(config), `${current.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  const next = randomBytes(32);
  const temporary = `${keyFile(config)}.next`;
  writeFileSync(temporary, `${next.toString('base64url')}\n`, { mode: 0o600 });
  renameSync(temporary, keyFile(config));
  return { current: next, previous: [current] };
}

export function forgetPreviousMasterKey(config: Config): void {
  rmSync(previousKeyFile(config), { force: true });
}

export { deriveKey } from './core/secrets.ts';
