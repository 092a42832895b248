// frontdoor keys rotate|list: a tenant's OIDC signing keys. Never prints private key material.
import { cliContext } from '../../core/context.ts';
import { DEFAULT_SIGNING_ALG, isSigningAlg, SIGNING_ALGS, type SigningKeyInfo } from '../../core/keys/signing-keys.ts';
import type { SigningAlg } from '../../core/ports.ts';
import { requireTenant } from '../../core/tenants/tenant-admin.ts';
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
