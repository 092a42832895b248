// frontdoor app create
import { createApplication, GRANT_TYPES } from '../../core/apps/app-admin.ts';
import { cliContext } from '../../core/context.ts';
import { applicationToWire } from '../../http/admin/wire.ts';
import { out, outJson, requiredString, stringList, withServices, type Command } from '../support.ts';

export const appCreate: Command = {
  name: 'app create',
  summary: 'Create an application (OIDC client)',
  help: `Usage: frontdoor app create --tenant T --name N --redirect-uri U [--redirect-uri U2 ...]
                           [--post-logout-redirect-uri U ...] [--public] [--third-party]
                           [--grant-type G ...] [--json]

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
    json: { type: 'boolean' },
  },
  async run(args) {
    const tenantId = requiredString(args, 'tenant', 'app create');
    const name = requiredString(args, 'name', 'app create');
    const grantTypes = stringList(args, 'grant-type');
    const { app, clientSecret } = await withServices((services) =>
      createApplication(
        services,
        {
          tenantId,
          name,
          redirectUris: stringList(args, 'redirect-uri'),
          postLogoutRedirectUris: stringList(args, 'post-logout-redirect-uri'),
          ...(grantTypes.length ? { grantTypes } : {}),
          public: args.values.public === true,
          firstParty: args.values['third-party'] !== true,
        },
        cliContext,
      ),
    );
    if (args.values.json) {
      outJson({ ...applicationToWire(app), client_secret: clientSecret });
      return;
    }
    const lines = [`Created application ${app.id} (${app.name}) in tenant ${app.tenantId}.`, `client_id:     ${app.clientId}`];
    if (clientSecret) lines.push(`client_secret: ${clientSecret}`, '(The secret is shown only now; store it in your app\'s configuration.)');
    else lines.push('Public client: no secret; use PKCE.');
    out(lines.join('\n'));
  },
};
