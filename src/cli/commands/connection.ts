// frontdoor connection create|list|delete: a tenant's upstream identity providers (social and
// enterprise login). The client secret is read from a file (not the command line, where shell
// history and `ps` would keep it) and never printed.
import { readFileSync } from 'node:fs';
import { cliContext } from '../../core/context.ts';
import { CONNECTION_PRESETS, createConnection, deleteConnection } from '../../core/federation/connections.ts';
import type { ConnectionPreset, ConnectionSettings, ConnectionType } from '../../core/ports.ts';
import { connectionToWire } from '../../http/admin/connections.ts';
import { inTenant, optionalString, out, outJson, requiredString, stringList, table, UsageError, type Command } from '../support.ts';

export const connectionCreate: Command = {
  name: 'connection create',
  summary: 'Add an upstream identity provider (OIDC or OAuth 2.0)',
  help: `Usage: frontdoor connection create --tenant T (--preset P | --type oidc|oauth2) --client-id ID [options]

Adds a "Continue with …" provider to the tenant's sign-in. Register the printed redirect URI at the
provider.

Options:
  --tenant T                   tenant id
  --preset P                   ${CONNECTION_PRESETS.join(', ')} (fills in type, issuer or endpoints, scopes)
  --type T                     oidc or oauth2 (without a preset)
  --name N                     button text "Continue with N" (default: the preset's name)
  --client-id ID               the client id the provider issued
  --client-secret-file F       file holding the client secret (Apple: the team's private key, PEM)
  --issuer URL                 oidc: the issuer (discovery at URL/.well-known/openid-configuration)
  --authorization-endpoint U   oauth2: authorization endpoint
  --token-endpoint U           oauth2: token endpoint
  --userinfo-endpoint U        oauth2: account endpoint
  --scope S                    a scope to ask for; repeat for more (default: the preset's)
  --domain D                   an email domain sent to this provider from the sign-in page; repeat
  --app CLIENT_ID              show it only in this app's sign-in; repeat (default: every app)
  --apple-team-id ID           Apple: the team id
  --apple-key-id ID            Apple: the key id
  --json                       print the connection as JSON
  -h, --help                   show this help`,
  options: {
    tenant: { type: 'string' },
    preset: { type: 'string' },
    type: { type: 'string' },
    name: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret-file': { type: 'string' },
    issuer: { type: 'string' },
    'authorization-endpoint': { type: 'string' },
    'token-endpoint': { type: 'string' },
    'userinfo-endpoint': { type: 'string' },
    scope: { type: 'string', multiple: true },
    domain: { type: 'string', multiple: true },
    app: { type: 'string', multiple: true },
    'apple-team-id': { type: 'string' },
    'apple-key-id': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args) {
    const clientId = requiredString(args, 'client-id', 'connection create');
    const preset = optionalString(args, 'preset');
    if (preset !== undefined && !(CONNECTION_PRESETS as readonly string[]).includes(preset)) throw new UsageError(`--preset must be one of ${CONNECTION_PRESETS.join(', ')}`);
    const type = optionalString(args, 'type');
    if (type !== undefined && type !== 'oidc' && type !== 'oauth2') throw new UsageError('--type must be oidc or oauth2');
    if (!preset && !type) throw new UsageError('give --preset or --type (see: frontdoor connection create --help)');
    const secretFile = optionalString(args, 'client-secret-file');
    let clientSecret: string | undefined;
    if (secretFile !== undefined) {
      try {
        clientSecret = readFileSync(secretFile, 'utf8').trim();
      } catch (error) {
        throw new UsageError(`--client-secret-file: cannot read ${secretFile} (${(error as Error).message.split('\n')[0]})`);
      }
    }
    const settings: Partial<ConnectionSettings> = {};
    const set = <K extends keyof ConnectionSettings>(key: K, value: ConnectionSettings[K] | undefined) => {
      if (value !== undefined && !(Array.isArray(value) && value.length === 0)) settings[key] = value;
    };
    set('issuer', optionalString(args, 'issuer'));
    set('authorizationEndpoint', optionalString(args, 'authorization-endpoint'));
    set('tokenEndpoint', optionalString(args, 'token-endpoint'));
    set('userinfoEndpoint', optionalString(args, 'userinfo-endpoint'));
    set('scopes', stringList(args, 'scope'));
    set('domains', stringList(args, 'domain'));
    set('apps', stringList(args, 'app'));
    const teamId = optionalString(args, 'apple-team-id');
    const keyId = optionalString(args, 'apple-key-id');
    if (teamId && keyId) settings.apple = { teamId, keyId };
    const name = optionalString(args, 'name');
    const wire = await inTenant(args, 'connection create', async (services, tenant) =>
      connectionToWire(
        services,
        await createConnection(
          services,
          tenant,
          { clientId, ...(preset ? { preset: preset as ConnectionPreset } : {}), ...(type ? { type: type as ConnectionType } : {}), ...(name ? { name } : {}), ...(clientSecret ? { clientSecret } : {}), settings },
          cliContext,
        ),
      ),
    );
    if (args.values.json) outJson(wire);
    else out(`Created connection ${wire.id} (${wire.name}). Redirect URI to register at the provider: ${wire.redirect_uri}`);
  },
};

export const connectionList: Command = {
  name: 'connection list',
  summary: "List a tenant's upstream identity providers",
  help: `Usage: frontdoor connection list --tenant T [--json]

Options:
  --tenant T    tenant id
  --json        print {"items": [...]} as JSON (secrets are never shown)
  -h, --help    show this help`,
  options: { tenant: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const items = await inTenant(args, 'connection list', async (services, tenant) => (await services.store.connections.list(tenant.id)).map((c) => connectionToWire(services, c)));
    if (args.values.json) outJson({ items });
    else if (items.length === 0) out('No connections yet. Add one with: frontdoor connection create --tenant T --preset google --client-id ID');
    else out(table(['ID', 'NAME', 'TYPE', 'ENABLED', 'DOMAINS'], items.map((c) => [c.id, c.name, c.preset ?? c.type, c.enabled ? 'yes' : 'no', (c.settings.domains as string[] | undefined)?.join(',') ?? ''])));
  },
};

export const connectionDelete: Command = {
  name: 'connection delete',
  summary: 'Delete an upstream identity provider (its linked identities go with it)',
  help: `Usage: frontdoor connection delete <id> --tenant T

Options:
  --tenant T    tenant id
  -h, --help    show this help`,
  options: { tenant: { type: 'string' } },
  positionals: ['id'],
  async run(args) {
    const [id = ''] = args.positionals;
    await inTenant(args, 'connection delete', (services, tenant) => deleteConnection(services, tenant, id, cliContext));
    out(`Deleted connection ${id}.`);
  },
};
