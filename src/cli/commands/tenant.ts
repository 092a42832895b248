// frontdoor tenant create|list
import { cliContext } from '../../core/context.ts';
import { createTenant } from '../../core/tenants/tenant-admin.ts';
import { tenantToWire } from '../../http/admin/wire.ts';
import { optionalString, out, outJson, table, withServices, type Command } from '../support.ts';

export const tenantCreate: Command = {
  name: 'tenant create',
  summary: 'Create a tenant',
  help: `Usage: frontdoor tenant create <id> [--name N] [--json]

Creates a tenant. Its hosted pages are at /t/<id>/… and its issuer is {BASE}/t/<id>/oidc.

Arguments:
  <id>          URL slug: 1-40 of a-z, 0-9 and -, starting and ending with a letter or digit

Options:
  --name N      display name (default: the id)
  --json        print the tenant as JSON
  -h, --help    show this help`,
  options: { name: { type: 'string' }, json: { type: 'boolean' } },
  positionals: ['id'],
  async run(args) {
    const [id = ''] = args.positionals;
    const name = optionalString(args, 'name');
    const tenant = await withServices((services) => createTenant(services, { id, ...(name !== undefined ? { name } : {}) }, cliContext));
    if (args.values.json) outJson(tenantToWire(tenant));
    else out(`Created tenant ${tenant.id} (${tenant.name}).`);
  },
};

export const tenantList: Command = {
  name: 'tenant list',
  summary: 'List tenants',
  help: `Usage: frontdoor tenant list [--json]

Lists every tenant.

Options:
  --json        print {"items": [...]} as JSON
  -h, --help    show this help`,
  options: { json: { type: 'boolean' } },
  async run(args) {
    const tenants = await withServices((services) => services.store.tenants.list());
    if (args.values.json) outJson({ items: tenants.map(tenantToWire) });
    else if (tenants.length === 0) out('No tenants yet. Create one with: frontdoor tenant create <id>');
    else out(table(['ID', 'NAME', 'CREATED'], tenants.map((t) => [t.id, t.name, new Date(t.createdAt).toISOString()])));
  },
};
