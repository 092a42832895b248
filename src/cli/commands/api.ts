// frontdoor api create|list|delete: a tenant's API resources (RFC 8707), whose access tokens carry
// the resource identifier as `aud`.
import type { Services } from '../../app.ts';
import { createApiResource, deleteApiResource } from '../../core/apps/api-resources.ts';
import { cliContext } from '../../core/context.ts';
import { FrontdoorError } from '../../core/errors.ts';
import type { ApiResource, Tenant } from '../../core/ports.ts';
import { apiResourceToWire } from '../../http/admin/wire.ts';
import { integerOption, inTenant, out, outJson, requiredString, stringList, table, type Command } from '../support.ts';

/** `--api` takes the resource id (`api_…`) or its identifier. */
async function findResource(services: Services, tenant: Tenant, ref: string): Promise<ApiResource> {
  const resource = (await services.store.apiResources.get(tenant.id, ref)) ?? (await services.store.apiResources.findByIdentifier(tenant.id, ref));
  if (!resource) throw new FrontdoorError('resource.not_found');
  return resource;
}

export const apiCreate: Command = {
  name: 'api create',
  summary: 'Create an API resource',
  help: `Usage: frontdoor api create --tenant T --identifier URI --name N [--scope S[=DESCRIPTION] ...]
                           [--opaque] [--ttl SECONDS] [--json]

Creates an API that accepts Frontdoor access tokens. Apps ask for a token with
resource=URI; the token carries URI as its audience and only the scopes named here.

Options:
  --tenant T            tenant id (required)
  --identifier URI      absolute URI naming the API, e.g. https://api.example.com/orders (required)
  --name N              display name (required)
  --scope S[=D]         a scope (permission) of the API, with an optional description shown on
                        the consent page; repeat for more
  --opaque              opaque access tokens (checked by introspection) instead of JWTs
  --ttl SECONDS         access token lifetime, 60-86400 (default 600)
  --json                print the resource as JSON
  -h, --help            show this help`,
  options: {
    tenant: { type: 'string' },
    identifier: { type: 'string' },
    name: { type: 'string' },
    scope: { type: 'string', multiple: true },
    opaque: { type: 'boolean' },
    ttl: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args) {
    const identifier = requiredString(args, 'identifier', 'api create');
    const name = requiredString(args, 'name', 'api create');
    const ttl = integerOption(args, 'ttl', 600, 60, 86400);
    const scopes = stringList(args, 'scope').map((entry) => {
      const at = entry.indexOf('=');
      return at < 0 ? { name: entry } : { name: entry.slice(0, at), description: entry.slice(at + 1) };
    });
    const resource = await inTenant(args, 'api create', (services, tenant) =>
      createApiResource(services, { tenantId: tenant.id, identifier, name, scopes, accessTokenFormat: args.values.opaque ? 'opaque' : 'jwt', accessTokenTtlSeconds: ttl }, cliContext),
    );
    if (args.values.json) outJson(apiResourceToWire(resource));
    else out(`Created API resource ${resource.id} (${resource.identifier}) with scopes: ${resource.scopes.map((s) => s.name).join(' ') || '(none)'}.`);
  },
};

export const apiList: Command = {
  name: 'api list',
  summary: "List a tenant's API resources",
  help: `Usage: frontdoor api list --tenant T [--json]

Options:
  --tenant T      tenant id (required)
  --json          print {"items": [...]} as JSON
  -h, --help      show this help`,
  options: { tenant: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const resources = await inTenant(args, 'api list', (services, tenant) => services.store.apiResources.list(tenant.id));
    if (args.values.json) {
      outJson({ items: resources.map(apiResourceToWire) });
      return;
    }
    if (resources.length === 0) {
      out('No API resources.');
      return;
    }
    out(table(['ID', 'IDENTIFIER', 'NAME', 'TOKENS', 'SCOPES'], resources.map((r) => [r.id, r.identifier, r.name, `${r.accessTokenFormat} ${r.accessTokenTtlSeconds}s`, r.scopes.map((s) => s.name).join(' ')])));
  },
};

export const apiDelete: Command = {
  name: 'api delete',
  summary: 'Delete an API resource',
  help: `Usage: frontdoor api delete --tenant T --api A

Deletes API resource A (its id or identifier): no new tokens are issued for it.

Options:
  --tenant T      tenant id (required)
  --api A         resource id or identifier (required)
  -h, --help      show this help`,
  options: { tenant: { type: 'string' }, api: { type: 'string' } },
  async run(args) {
    const ref = requiredString(args, 'api', 'api delete');
    const resource = await inTenant(args, 'api delete', async (services, tenant) => {
      const found = await findResource(services, tenant, ref);
      await deleteApiResource(services, tenant.id, found.id, cliContext);
      return found;
    });
    out(`Deleted API resource ${resource.id} (${resource.identifier}).`);
  },
};
