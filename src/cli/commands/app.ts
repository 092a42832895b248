// frontdoor app create|list|update|rotate-secret|delete: a tenant's applications (OIDC clients).
// A secret is printed once, by create and rotate-secret; only its hash is stored.
import { readFileSync } from 'node:fs';
import type { Services } from '../../app.ts';
import { AUTH_METHODS, createApplication, deleteApplication, GRANT_TYPES, rotateApplicationSecret, updateApplication, type UpdateApplicationInput } from '../../core/apps/app-admin.ts';
import { cliContext } from '../../core/context.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { SIGNING_ALGS } from '../../core/keys/signing-keys.ts';
import type { Application, ApplicationOidcSettings, Tenant } from '../../core/ports.ts';
import { applicationToWire } from '../../http/admin/wire.ts';
import { integerOption, inTenant, optionalString, out, outJson, requiredString, stringList, table, UsageError, type Command, type ParsedArgs } from '../support.ts';

/** `--app` takes the app id (`app_…`) or its client id. */
async function findApp(services: Services, tenant: Tenant, ref: string): Promise<Application> {
  const app = (await services.store.apps.get(tenant.id, ref)) ?? (await services.store.apps.findByClientId(tenant.id, ref));
  if (!app) throw new FrontdoorError('app.not_found');
  return app;
}

const settingsHelp = `  --auth-method M                token endpoint authentication: ${AUTH_METHODS.join(', ')}
  --jwks-file F                  JSON file with the public keys (JWK Set) for private_key_jwt
  --id-token-alg A               ID token signing algorithm: ${SIGNING_ALGS.join(', ')} (default ES256)
  --pairwise                     give this app its own subject identifier per user
  --backchannel-logout-uri U     called with a logout token when the user signs out
  --frontchannel-logout-uri U    loaded in a hidden frame when the user signs out
  --api-scope "RESOURCE S1 S2"   client_credentials may get scopes S1, S2 of the API resource
                                 RESOURCE; repeat for more APIs`;

const settingsOptions = {
  'auth-method': { type: 'string' },
  'jwks-file': { type: 'string' },
  'id-token-alg': { type: 'string' },
  pairwise: { type: 'boolean' },
  'backchannel-logout-uri': { type: 'string' },
  'frontchannel-logout-uri': { type: 'string' },
  'api-scope': { type: 'string', multiple: true },
} as const;

/** The OIDC settings named on the command line (the core validates the values). */
function oidcSettingsFromArgs(args: ParsedArgs): ApplicationOidcSettings {
  const settings: Record<string, unknown> = {};
  const method = optionalString(args, 'auth-method');
  if (method !== undefined) settings.tokenEndpointAuthMethod = method;
  const alg = optionalString(args, 'id-token-alg');
  if (alg !== undefined) settings.idTokenSignedResponseAlg = alg;
  if (args.values.pairwise === true) settings.subjectType = 'pairwise';
  const backchannel = optionalString(args, 'backchannel-logout-uri');
  if (backchannel !== undefined) settings.backchannelLogoutUri = backchannel;
  const frontchannel = optionalString(args, 'frontchannel-logout-uri');
  if (frontchannel !== undefined) settings.frontchannelLogoutUri = frontchannel;
  const jwksFile = optionalString(args, 'jwks-file');
  if (jwksFile !== undefined) {
    try {
      settings.jwks = JSON.parse(readFileSync(jwksFile, 'utf8')) as unknown;
    } catch (error) {
      throw new UsageError(`--jwks-file: cannot read a JSON JWK Set from ${jwksFile} (${(error as Error).message.split('\n')[0]})`);
    }
  }
  const apiScopes = stringList(args, 'api-scope');
  if (apiScopes.length) {
    const byResource: Record<string, string[]> = {};
    for (const entry of apiScopes) {
      const [resource, ...scopes] = entry.trim().split(/\s+/);
      if (!resource || scopes.length === 0) throw new UsageError(`--api-scope takes "RESOURCE SCOPE [SCOPE ...]", got "${entry}"`);
      byResource[resource] = [...(byResource[resource] ?? []), ...scopes];
    }
    settings.clientCredentialsScopes = byResource;
  }
  return settings as ApplicationOidcSettings;
}

function printWithSecret(app: Application, clientSecret: string | null, json: boolean, headline: string): void {
  if (json) {
    outJson({ ...applicationToWire(app), client_secret: clientSecret });
    return;
  }
  const lines = [headline, `client_id:     ${app.clientId}`];
  if (clientSecret) lines.push(`client_secret: ${clientSecret}`, "(The secret is shown only now; store it in your app's configuration.)");
  else if (app.public) lines.push('Public client: no secret; use PKCE.');
  else lines.push('No client secret: the client authenticates with private_key_jwt.');
  out(lines.join('\n'));
}

export const appCreate: Command = {
  name: 'app create',
  summary: 'Create an application (OIDC client)',
  help: `Usage: frontdoor app create --tenant T --name N --redirect-uri U [--redirect-uri U2 ...]
                           [--post-logout-redirect-uri U ...] [--public] [--third-party]
                           [--grant-type G ...] [--client-id ID] [OIDC settings] [--json]

Creates an OIDC client in tenant T. A confidential client's secret is printed once; only its
hash is stored.

Options:
  --tenant T                     tenant id (required)
  --name N                       display name (required)
  --redirect-uri U               allowed redirect URI, exact match; repeat for more
                                 (required for authorization_code)
  --post-logout-redirect-uri U   allowed post-logout redirect URI; repeat for more
  --public                       public client (SPA, native app): no secret, PKCE required
  --third-party                  not first-party: users are always asked for consent
  --grant-type G                 repeat for more; one of ${GRANT_TYPES.join(', ')}
                                 (default: authorization_code and refresh_token)
  --client-id ID                 a chosen client id (default: random)
${settingsHelp}
  --json                         print the application as JSON (keys client_id, client_secret)
  -h, --help                     show this help`,
  options: {
    tenant: { type: 'string' },
    name: { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    'post-logout-redirect-uri': { type: 'string', multiple: true },
    public: { type: 'boolean' },
    'third-party': { type: 'boolean' },
    'grant-type': { type: 'string', multiple: true },
    'client-id': { type: 'string' },
    ...settingsOptions,
    json: { type: 'boolean' },
  },
  async run(args) {
    const name = requiredString(args, 'name', 'app create');
    const grantTypes = stringList(args, 'grant-type');
    const clientId = optionalString(args, 'client-id');
    const oidc = oidcSettingsFromArgs(args);
    const { app, clientSecret } = await inTenant(args, 'app create', (services, tenant) =>
      createApplication(
        services,
        {
          tenantId: tenant.id,
          name,
          redirectUris: stringList(args, 'redirect-uri'),
          postLogoutRedirectUris: stringList(args, 'post-logout-redirect-uri'),
          ...(grantTypes.length ? { grantTypes } : {}),
          public: args.values.public === true,
          firstParty: args.values['third-party'] !== true,
          ...(clientId !== undefined ? { clientId } : {}),
          oidc,
        },
        cliContext,
      ),
    );
    printWithSecret(app, clientSecret, args.values.json === true, `Created application ${app.id} (${app.name}) in tenant ${app.tenantId}.`);
  },
};

export const appList: Command = {
  name: 'app list',
  summary: "List a tenant's applications",
  help: `Usage: frontdoor app list --tenant T [--json]

Options:
  --tenant T      tenant id (required)
  --json          print {"items": [...]} as JSON (never a secret)
  -h, --help      show this help`,
  options: { tenant: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const apps = await inTenant(args, 'app list', (services, tenant) => services.store.apps.list(tenant.id));
    if (args.values.json) {
      outJson({ items: apps.map(applicationToWire) });
      return;
    }
    if (apps.length === 0) {
      out('No applications.');
      return;
    }
    out(table(['ID', 'CLIENT ID', 'NAME', 'TYPE', 'GRANT TYPES'], apps.map((a) => [a.id, a.clientId, a.name, a.public ? 'public' : 'confidential', a.grantTypes.join(',')])));
  },
};

export const appUpdate: Command = {
  name: 'app update',
  summary: 'Change an application',
  help: `Usage: frontdoor app update --tenant T --app A [--name N] [--redirect-uri U ...]
                           [--post-logout-redirect-uri U ...] [--grant-type G ...]
                           [--first-party | --third-party] [OIDC settings] [--json]

Changes application A (its id or client id) in tenant T. A list option given replaces the whole
list; options not given stay as they are. Every node sees the change at its next request.

Options:
  --tenant T                     tenant id (required)
  --app A                        application id or client id (required)
  --name N                       display name
  --redirect-uri U               allowed redirect URIs (replaces them all)
  --post-logout-redirect-uri U   allowed post-logout redirect URIs (replaces them all)
  --grant-type G                 grant types (replaces them all)
  --first-party | --third-party  whether users are asked for consent
${settingsHelp}
  --json                         print the application as JSON
  -h, --help                     show this help`,
  options: {
    tenant: { type: 'string' },
    app: { type: 'string' },
    name: { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    'post-logout-redirect-uri': { type: 'string', multiple: true },
    'grant-type': { type: 'string', multiple: true },
    'first-party': { type: 'boolean' },
    'third-party': { type: 'boolean' },
    ...settingsOptions,
    json: { type: 'boolean' },
  },
  async run(args) {
    const ref = requiredString(args, 'app', 'app update');
    if (args.values['first-party'] && args.values['third-party']) throw new UsageError('--first-party and --third-party exclude each other');
    const input: UpdateApplicationInput = { oidc: oidcSettingsFromArgs(args) };
    const name = optionalString(args, 'name');
    if (name !== undefined) input.name = name;
    for (const [option, key] of [
      ['redirect-uri', 'redirectUris'],
      ['post-logout-redirect-uri', 'postLogoutRedirectUris'],
      ['grant-type', 'grantTypes'],
    ] as const) {
      const values = stringList(args, option);
      if (values.length) input[key] = values;
    }
    if (args.values['first-party']) input.firstParty = true;
    if (args.values['third-party']) input.firstParty = false;
    if (Object.keys(input.oidc ?? {}).length === 0 && Object.keys(input).length === 1) throw new UsageError('nothing to change (see: frontdoor app update --help)');
    const app = await inTenant(args, 'app update', async (services, tenant) => updateApplication(services, tenant.id, (await findApp(services, tenant, ref)).id, input, cliContext));
    if (args.values.json) outJson(applicationToWire(app));
    else out(`Updated application ${app.id} (${app.name}).`);
  },
};

export const appRotateSecret: Command = {
  name: 'app rotate-secret',
  summary: "Rotate an application's client secret",
  help: `Usage: frontdoor app rotate-secret --tenant T --app A [--overlap SECONDS] [--json]

Prints a new client secret for application A (its id or client id), once. The previous secret
keeps working for the overlap (default 86400 s, one day; 0 ends it now), so you can deploy the
new secret without downtime.

Options:
  --tenant T          tenant id (required)
  --app A             application id or client id (required)
  --overlap SECONDS   how long the previous secret stays valid, 0-2592000 (default 86400)
  --json              print the application as JSON (key client_secret)
  -h, --help          show this help`,
  options: { tenant: { type: 'string' }, app: { type: 'string' }, overlap: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const ref = requiredString(args, 'app', 'app rotate-secret');
    const overlapSeconds = integerOption(args, 'overlap', 86400, 0, 30 * 86400);
    const { app, clientSecret } = await inTenant(args, 'app rotate-secret', async (services, tenant) =>
      rotateApplicationSecret(services, tenant.id, (await findApp(services, tenant, ref)).id, { overlapSeconds }, cliContext),
    );
    const until = app.previousSecretExpiresAt === null ? 'The previous secret no longer works.' : `The previous secret works until ${new Date(app.previousSecretExpiresAt).toISOString()}.`;
    printWithSecret(app, clientSecret, args.values.json === true, `Rotated the secret of application ${app.id} (${app.name}). ${until}`);
  },
};

export const appDelete: Command = {
  name: 'app delete',
  summary: 'Delete an application',
  help: `Usage: frontdoor app delete --tenant T --app A

Deletes application A (its id or client id): it can no longer sign users in or get tokens.

Options:
  --tenant T      tenant id (required)
  --app A         application id or client id (required)
  -h, --help      show this help`,
  options: { tenant: { type: 'string' }, app: { type: 'string' } },
  async run(args) {
    const ref = requiredString(args, 'app', 'app delete');
    const app = await inTenant(args, 'app delete', async (services, tenant) => {
      const found = await findApp(services, tenant, ref);
      await deleteApplication(services, tenant.id, found.id, cliContext);
      return found;
    });
    out(`Deleted application ${app.id} (${app.name}).`);
  },
};
