// frontdoor admin bootstrap | admin token create: admin API credentials, for operators with
// access to the database (the same environment as the server).
import { issueAdminToken, issueSetupToken, SETUP_TOKEN_TTL_SECONDS } from '../../core/admin/admin-credentials.ts';
import { ADMIN_API_PREFIX } from '../../http/admin/paths.ts';
import { optionalString, out, outJson, UsageError, withServices, type Command } from '../support.ts';

export const adminBootstrap: Command = {
  name: 'admin bootstrap',
  summary: 'Issue a one-time setup token for the admin API',
  help: `Usage: frontdoor admin bootstrap [--json]

Issues a one-time setup token, valid for ${SETUP_TOKEN_TTL_SECONDS / 60} minutes. Exchange it for an admin
token with POST ${ADMIN_API_PREFIX}/bootstrap {"setup_token": "..."}; no admin token is ever
written to disk this way (the production path).

Options:
  --json        print {"setup_token", "expires_at", "redeem_url"} as JSON
  -h, --help    show this help`,
  options: { json: { type: 'boolean' } },
  async run(args) {
    const { token, expiresAt, url } = await withServices(async (services) => ({
      ...(await issueSetupToken(services)),
      url: new URL(`${ADMIN_API_PREFIX}/bootstrap`, services.config.baseUrl).toString(),
    }));
    const expires = new Date(expiresAt).toISOString();
    if (args.values.json) {
      outJson({ setup_token: token, expires_at: expires, redeem_url: url });
      return;
    }
    out(
      [
        `Setup token (single use, expires ${expires}):`,
        `  ${token}`,
        '',
        'Exchange it for an admin token (shown once in the response):',
        `  curl -sS -X POST ${url} \\`,
        `    -H 'content-type: application/json' -d '{"setup_token": "${token}", "name": "my admin"}'`,
      ].join('\n'),
    );
  },
};

export const adminTokenCreate: Command = {
  name: 'admin token create',
  summary: 'Create an admin API token directly in the database',
  help: `Usage: frontdoor admin token create [--name N] [--json]

Creates an admin bearer token and prints it once (only its hash is stored). For operators with
database access; otherwise use "frontdoor admin bootstrap".

Options:
  --name N      label for the token (default: "cli")
  --json        print {"id", "name", "token"} as JSON
  -h, --help    show this help`,
  options: { name: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const name = optionalString(args, 'name')?.trim() || 'cli';
    if (name.length > 100 || /[\p{Cc}]/u.test(name)) throw new UsageError('--name must be at most 100 characters without control characters');
    const { token, record } = await withServices((services) => issueAdminToken(services, name));
    if (args.values.json) outJson({ id: record.id, name: record.name, token });
    else out([`Admin token ${record.id} (${record.name}); shown only now:`, `  ${token}`, '', `Use it as: Authorization: Bearer ${token.slice(0, 8)}…`].join('\n'));
  },
};
