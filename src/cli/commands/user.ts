// frontdoor user create|list|disable|enable|delete
import { cliContext } from '../../core/context.ts';
import type { User } from '../../core/ports.ts';
import { createUser, deleteUser, getUser, setUserStatus } from '../../core/users/user-admin.ts';
import { userToWire } from '../../http/admin/wire.ts';
import { normalizeEmail } from '../../core/users/email.ts';
import { integerOption, inTenant, optionalString, out, outJson, requiredString, table, UsageError, type Command } from '../support.ts';

function describe(user: User): string {
  return `${user.id}  ${user.email}  ${user.status}${user.emailVerified ? '' : '  (email not verified)'}`;
}

export const userCreate: Command = {
  name: 'user create',
  summary: 'Create a user',
  help: `Usage: frontdoor user create --tenant T --email E [--password P] [--verified] [--json]

Creates a user in tenant T. Without --password the user sets one through "forgot password".
A user whose email is not verified starts as "pending".

Options:
  --tenant T      tenant id (required)
  --email E       email address (required; stored lower-cased)
  --password P    initial password, checked against the tenant's password policy
                  (note: command-line arguments are visible to other local users)
  --verified      mark the email address verified; the user starts "active"
  --json          print the user as JSON
  -h, --help      show this help`,
  options: { tenant: { type: 'string' }, email: { type: 'string' }, password: { type: 'string' }, verified: { type: 'boolean' }, json: { type: 'boolean' } },
  async run(args) {
    const email = requiredString(args, 'email', 'user create');
    const password = optionalString(args, 'password');
    const user = await inTenant(args, 'user create', (services, tenant) =>
      createUser(services, { tenant, email, password, verified: args.values.verified === true }, cliContext),
    );
    if (args.values.json) outJson(userToWire(user));
    else out(`Created user ${describe(user)}`);
  },
};

export const userList: Command = {
  name: 'user list',
  summary: 'List or search users',
  help: `Usage: frontdoor user list --tenant T [--email E] [--limit N] [--cursor C] [--json]

Lists users of tenant T, oldest first, one page at a time.

Options:
  --tenant T          tenant id (required)
  --email E           only the user with this address (case-insensitive; addresses are
                      stored encrypted, so only a whole address can be searched for)
  --limit N           page size, 1-200 (default 50)
  --cursor C          the next_cursor printed by the previous page
  --json              print {"items": [...], "next_cursor": ...} as JSON
  -h, --help          show this help`,
  options: { tenant: { type: 'string' }, email: { type: 'string' }, limit: { type: 'string' }, cursor: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const limit = integerOption(args, 'limit', 50, 1, 200);
    const rawEmail = optionalString(args, 'email');
    const email = rawEmail === undefined ? undefined : normalizeEmail(rawEmail);
    if (email === null) throw new UsageError(`--email is not an email address: "${rawEmail}"`);
    const cursor = optionalString(args, 'cursor') ?? null;
    const page = await inTenant(args, 'user list', (services, tenant) =>
      services.store.users.list({ tenantId: tenant.id, ...(email ? { email } : {}), limit, cursor }),
    );
    if (args.values.json) {
      outJson({ items: page.items.map(userToWire), next_cursor: page.nextCursor });
      return;
    }
    if (page.items.length === 0) out('No users found.');
    else out(table(['ID', 'EMAIL', 'STATUS', 'VERIFIED', 'CREATED'], page.items.map((u) => [u.id, u.email, u.status, u.emailVerified ? 'yes' : 'no', new Date(u.createdAt).toISOString()])));
    if (page.nextCursor) out(`More: frontdoor user list --tenant ${page.items[0]?.tenantId ?? ''} --cursor ${page.nextCursor}`);
  },
};

function statusCommand(status: 'disabled' | 'active'): Command {
  const verb = status === 'disabled' ? 'disable' : 'enable';
  return {
    name: `user ${verb}`,
    summary: status === 'disabled' ? 'Disable a user and end their sessions' : 'Enable a disabled user',
    help: `Usage: frontdoor user ${verb} --tenant T <user-id> [--json]

${status === 'disabled' ? 'Disables the user: sign-in is refused and every session ends at once.' : 'Enables the user again (also activates a pending user).'}

Options:
  --tenant T    tenant id (required)
  --json        print the user as JSON
  -h, --help    show this help`,
    options: { tenant: { type: 'string' }, json: { type: 'boolean' } },
    positionals: ['user-id'],
    async run(args) {
      const [userId = ''] = args.positionals;
      const user = await inTenant(args, `user ${verb}`, (services, tenant) => setUserStatus(services, tenant.id, userId, status, cliContext));
      if (args.values.json) outJson(userToWire(user));
      else out(`${status === 'disabled' ? 'Disabled' : 'Enabled'} user ${describe(user)}`);
    },
  };
}

export const userDisable = statusCommand('disabled');
export const userEnable = statusCommand('active');

export const userDelete: Command = {
  name: 'user delete',
  summary: 'Delete a user',
  help: `Usage: frontdoor user delete --tenant T <user-id> [--json]

Deletes the user with their credentials and sessions. This cannot be undone.

Options:
  --tenant T    tenant id (required)
  --json        print {"id": ..., "deleted": true} as JSON
  -h, --help    show this help`,
  options: { tenant: { type: 'string' }, json: { type: 'boolean' } },
  positionals: ['user-id'],
  async run(args) {
    const [userId = ''] = args.positionals;
    const user = await inTenant(args, 'user delete', async (services, tenant) => {
      const found = await getUser(services.store, tenant.id, userId);
      await deleteUser(services, tenant.id, found.id, cliContext);
      return found;
    });
    if (args.values.json) outJson({ id: user.id, deleted: true });
    else out(`Deleted user ${user.id} (${user.email}).`);
  },
};
