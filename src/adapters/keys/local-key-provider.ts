// The KeyProvider of a self-hosted node: the master key (FRONTDOOR_MASTER_KEY, or the data dir's
// master.key) wraps data keys with AES-256-GCM. Earlier master keys, kept only while
// `frontdoor keys rotate-master` re-wraps, still unwrap; only the current one wraps.
import { createSecretKey, hash, type KeyObject } from 'node:crypto';
import type { KeyProvider, WrappedKey } from '../../core/ports.ts';
import { deriveKey, openString, sealString } from '../../core/secrets.ts';

/** Public name of a master key: a hash, so logs and rows can name it without revealing it. */
export function masterKeyId(masterKey: Buffer): string {
  return `mk_${hash('sha256', deriveKey(masterKey, 'master-key-id'), 'base64url').slice(0, 16)}`;
}

export function createLocalKeyProvider(current: Buffer, previous: readonly Buffer[] = []): KeyProvider {
  // The wrapping key is derived, so the master key itself never encrypts anything directly. Kept
  // as KeyObjects: AES-GCM with a raw Buffer key imports it on every call (opening a data key took
  // 27–31 µs that way, 6–7 µs with the KeyObject; bench:authz), and every account read that misses
  // the vault's cache of unwrapped keys pays one.
  const wrappingKeys = new Map<string, KeyObject>();
  for (const key of [current, ...previous]) wrappingKeys.set(masterKeyId(key), createSecretKey(deriveKey(key, 'data-key-wrapping')));
  const currentKeyId = masterKeyId(current);
  const currentWrappingKey = wrappingKeys.get(currentKeyId)!;
  return {
    currentKeyId,
    async wrap(key, context): Promise<WrappedKey> {
      return { keyId: currentKeyId, wrapped: sealString(currentWrappingKey, key.toString('base64url'), context) };
    },
    async unwrap({ keyId, wrapped }, context) {
      const wrappingKey = wrappingKeys.get(keyId);
      if (!wrappingKey) throw new Error(`data key wrapped by unknown master key ${keyId}`);
      return Buffer.from(openString(wrappingKey, wrapped, context), 'base64url');
    },
  };
}
