// frontdoor connection create|list|delete: a tenant's upstream identity providers (social and
// enterprise login). The client secret is read from a file (not the command line, where shell
// history and `ps` would keep it) and never printed.
import { readFileSync } from 'node:fs';
import { cliContext } from '../../core/context.ts';
import { CONNECTION_PRESETS, createConnection, deleteConnection } from '../../core/federation/connections.ts';
import type { ConnectionPreset, ConnectionSettings, ConnectionType, SamlIdpSettings } from '../../core/ports.ts';
import { parseIdpMetadata } from '../../adapters/federation/saml-metadata.ts';
import { connectionToWire } from '../../http/admin/connections.ts';
import { inTenant, optionalString, out, outJson, requiredString, stringList, table, UsageError, type Command } from '../support.ts';

function readOption(option: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--${option}: cannot read ${file} (${(error as Error).message.split('\n')[0]})`);
  }
}

/** The identity provider from its metadata file, with any field given on top. */
function samlFromArgs(args: Parameters<Command['run']>[0]): SamlIdpSettings {
  const metadataFile = optionalString(args, 'metadata-file');
  const certificateFiles = stringList(args, 'saml-certificate-file');
  const entityId = optionalString(args, 'saml-entity-id');
  const ssoUrl = optionalString(args, 'saml-sso-url');
  const skew = optionalString(args, 'clock-skew-seconds');
  if (skew !== undefined && !/^\d{1,3}$/.test(skew)) throw new UsageError('--clock-skew-seconds must be a whole number of seconds');
  return {
    ...(metadataFile !== undefined ? parseIdpMetadata(readOption('metadata-file', metadataFile)) : {}),
    ...(entityId ? { entityId } : {}),
    ...(ssoUrl ? { ssoUrl } : {}),
    ...(certificateFiles.length > 0 ? { certificates: certificateFiles.map((f) => readOption('saml-certificate-file', f)) } : {}),
    ...(skew !== undefined ? { clockSkewSeconds: Number(skew) } : {}),
  } as SamlIdpSettings;
}

export const connectionCreate: Command = {
  name: 'connection create',
  summary: 'Add an upstream identity provider (OIDC, OAuth 2.0 or SAML 2.0)',
  help: `Usage: frontdoor connection create --tenant T (--preset P | --type oidc|oauth2) --client-id ID [options]
       frontdoor connection create --tenant T --type saml --name N --metadata-file F [options]

Adds a "Continue with …" provider to the tenant's sign-in. Register the printed redirect URI at the
provider (SAML: give the identity provider the printed SP metadata URL).

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
  --metadata-file F            saml: the identity provider's metadata XML (entity id, SSO URL, certificates)
  --saml-entity-id ID          saml: the IdP entity id (instead of, or over, the metadata)
  --saml-sso-url URL           saml: the IdP single sign-on URL, HTTP-Redirect binding
  --saml-certificate-file F    saml: a PEM signing certificate of the IdP; repeat while it rolls keys
  --clock-skew-seconds S       saml: how far the IdP's clock may be off (default 60, at most 600)
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
    'metadata-file': { type: 'string' },
    'saml-entity-id': { type: 'string' },
    'saml-sso-url': { type: 'string' },
    'saml-certificate-file': { type: 'string', multiple: true },
    'clock-skew-seconds': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args) {
    const saml = optionalString(args, 'type') === 'saml';
    const clientId = saml ? optionalString(args, 'client-id') : requiredString(args, 'client-id', 'connection create');
    const preset = optionalString(args, 'preset');
    if (preset !== undefined && !(CONNECTION_PRESETS as readonly string[]).includes(preset)) throw new UsageError(`--preset must be one of ${CONNECTION_PRESETS.join(', ')}`);
    const type = optionalString(args, 'type');
    if (type !== undefined && type !== 'oidc' && type !== 'oauth2' && type !== 'saml') throw new UsageError('--type must be oidc, oauth2 or saml');
    if (!preset && !type) throw new UsageError('give --preset or --type (see: frontdoor connection create --help)');
    const secretFile = optionalString(args, 'client-secret-file');
    const clientSecret = secretFile !== undefined ? readOption('client-secret-file', secretFile).trim() : undefined;
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
    if (saml) settings.saml = samlFromArgs(args);
    const name = optionalString(args, 'name');
    const wire = await inTenant(args, 'connection create', async (services, tenant) =>
      connectionToWire(
        services,
        await createConnection(
          services,
          tenant,
          { ...(clientId ? { clientId } : {}), ...(preset ? { preset: preset as ConnectionPreset } : {}), ...(type ? { type: type as ConnectionType } : {}), ...(name ? { name } : {}), ...(clientSecret ? { clientSecret } : {}), settings },
          cliContext,
        ),
      ),
    );
    if (args.values.json) outJson(wire);
    else if (wire.service_provider) out(`Created connection ${wire.id} (${wire.name}). Give the identity provider our SP metadata: ${wire.service_provider.metadata_url} (entity id ${wire.service_provider.entity_id}, ACS ${wire.service_provider.acs_url})`);
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
