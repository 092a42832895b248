// frontdoor keys rotate|list: a tenant's OIDC signing keys. Never prints private key material.
import { cliContext } from '../../core/context.ts';
import { DEFAULT_SIGNING_ALG, isSigningAlg, SIGNING_ALGS, type SigningKeyInfo } from '../../core/keys/signing-keys.ts';
import type { SigningAlg } from '../../core/ports.ts';
import { requireTenant } from '../../core/tenants/tenant-admin.ts';
import { createLocalKeyProvider } from '../../adapters/keys/local-key-provider.ts';
import { loadConfig } from '../../config.ts';
import { forgetPreviousMasterKey, replaceMasterKeyFile } from '../../keys.ts';
import { optionalString, out, outJson, requiredString, table, UsageError, withServices, type Command } from '../support.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function keyToWire(key: SigningKeyInfo) {
  return { kid: key.kid, alg: key.alg, status: key.status, created_at: iso(key.createdAt), activated_at: iso(key.activatedAt), retire_after: iso(key.retireAfter) };
}

function algOption(raw: string | undefined): SigningAlg {
  if (raw === undefined) return DEFAULT_SIGNING_ALG;
  if (!isSigningAlg(raw)) throw new UsageError(`--alg must be one of ${SIGNING_ALGS.join(', ')}, got "${raw}"`);
  return raw;
}

export const keysRotate: Command = {
  name: 'keys rotate',
  summary: "Rotate a tenant's OIDC signing key",
  help: `Usage: frontdoor keys rotate --tenant T [--alg ES256|EdDSA|RS256] [--json]

Rotates the signing key of one algorithm in tenant T: the active key is retired (it stays in
the JWKS until every token it signed has expired), the "next" key - already published in the
JWKS - becomes active, and a new "next" key is generated. Every node picks the change up
without a restart. Creates the tenant's keys first when it has none.

Options:
  --tenant T      tenant id (required)
  --alg A         ${SIGNING_ALGS.join(', ')} (default ${DEFAULT_SIGNING_ALG}, the default signing algorithm)
  --json          print {"tenant", "alg", "active", "retired", "retire_after", "next"} as JSON
  -h, --help      show this help`,
  options: { tenant: { type: 'string' }, alg: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const tenantId = requiredString(args, 'tenant', 'keys rotate');
    const alg = algOption(optionalString(args, 'alg'));
    const result = await withServices(async (services) => {
      const tenant = await requireTenant(services.store, tenantId);
      return services.signingKeys.rotate(tenant.id, alg, cliContext);
    });
    const retireAfter = iso(result.retireAfter);
    if (args.values.json) {
      outJson({ tenant: tenantId, alg: result.alg, active: result.active, retired: result.retired, retire_after: retireAfter, next: result.next });
      return;
    }
    out(
      [
        `Rotated the ${result.alg} signing key of tenant ${tenantId}:`,
        `  active   ${result.active} (was next)`,
        `  retired  ${result.retired} (published until ${retireAfter})`,
        `  next     ${result.next}`,
      ].join('\n'),
    );
  },
};

export const keysList: Command = {
  name: 'keys list',
  summary: "List a tenant's OIDC signing keys",
  help: `Usage: frontdoor keys list --tenant T [--json]

Lists the signing keys of tenant T in JWKS order (active, next, retired), then retired keys
past their retire_after. Shows key ids and dates only, never private key material.

Options:
  --tenant T      tenant id (required)
  --json          print {"items": [{"kid", "alg", "status", "created_at", "activated_at", "retire_after"}]} as JSON
  -h, --help      show this help`,
  options: { tenant: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const tenantId = requiredString(args, 'tenant', 'keys list');
    const keys = await withServices(async (services) => {
      const tenant = await requireTenant(services.store, tenantId);
      return services.signingKeys.list(tenant.id);
    });
    if (args.values.json) outJson({ items: keys.map(keyToWire) });
    else if (keys.length === 0) out(`Tenant ${tenantId} has no signing keys yet. Create them with: frontdoor keys rotate --tenant ${tenantId}`);
    else out(table(['KID', 'ALG', 'STATUS', 'CREATED', 'RETIRE AFTER'], keys.map((k) => [k.kid, k.alg, k.status, iso(k.createdAt) ?? '', iso(k.retireAfter) ?? '-'])));
  },
};

export const keysRotateMaster: Command = {
  name: 'keys rotate-master',
  summary: 'Re-wrap every data key with a new master key',
  help: `Usage: frontdoor keys rotate-master [--json]

The master key only wraps keys: each account's data key and the deployment's root key. This
command re-wraps every one of them that an earlier master key wrapped, with the current one;
no encrypted column is touched, and the purpose keys (sessions, cookies, signing keys) do not
change.

With FRONTDOOR_MASTER_KEY (a cluster): give every node the new key in FRONTDOOR_MASTER_KEY and
the old one in FRONTDOOR_PREVIOUS_MASTER_KEYS, restart them, run this command once, then remove
FRONTDOOR_PREVIOUS_MASTER_KEYS and destroy the old key.

Embedded (the data dir's master.key): stop the server, run this command - it writes a new
master.key, re-wraps, and deletes the old key - then start the server. If it is interrupted,
run it again: it finishes the same rotation.

Options:
  --json          print {"master_key", "user_keys", "system_keys"} as JSON
  -h, --help      show this help`,
  options: { json: { type: 'boolean' } },
  async run(args) {
    const config = loadConfig(process.env);
    if (config.masterKey && config.previousMasterKeys.length === 0) {
      throw new UsageError('set FRONTDOOR_PREVIOUS_MASTER_KEYS to the master key being replaced (FRONTDOOR_MASTER_KEY holds the new one)');
    }
    // Loaded on demand, so `--help` answers without loading storage.
    const { openDatabase } = await import('../../storage/database.ts');
    const { migrateToLatest } = await import('../../storage/migrations.ts');
    const { rewrapKeys, openPersonalDataVault } = await import('../../storage/personal-data-vault.ts');
    const { db, engine } = openDatabase(config.database);
    let result;
    try {
      await migrateToLatest(db, engine);
      const keys = config.masterKey ? { current: config.masterKey, previous: config.previousMasterKeys } : replaceMasterKeyFile(config);
      const provider = createLocalKeyProvider(keys.current, keys.previous);
      // Creates the root key on a database that has none yet, so it is wrapped by the new key.
      await openPersonalDataVault(db, provider, keys.current);
      const counts = await rewrapKeys(db, provider);
      if (!config.masterKey) forgetPreviousMasterKey(config);
      result = { masterKey: provider.currentKeyId, ...counts };
    } finally {
      await db.destroy();
    }
    if (args.values.json) {
      outJson({ master_key: result.masterKey, user_keys: result.userKeys, system_keys: result.systemKeys });
      return;
    }
    out(
      [
        `Re-wrapped ${result.userKeys} account data key(s) and ${result.systemKeys} system key(s) with master key ${result.masterKey}.`,
        config.masterKey ? 'Every key is wrapped by the new master key: remove FRONTDOOR_PREVIOUS_MASTER_KEYS from every node and destroy the old key.' : 'The old master key is deleted from the data dir.',
      ].join('\n'),
    );
  },
};
