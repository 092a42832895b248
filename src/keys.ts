// The master key: from FRONTDOOR_MASTER_KEY, or generated once into the data dir for an embedded
// start. Purpose keys are derived from it with HKDF so one leak does not expose another purpose.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMasterKey, type Config } from './config.ts';

export function loadOrCreateMasterKey(config: Config): Buffer {
  if (config.masterKey) return config.masterKey;
  const file = join(config.dataDir, 'master.key');
  if (existsSync(file)) return decodeMasterKey(readFileSync(file, 'utf8'), file);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

export { deriveKey } from './core/secrets.ts';
