// `frontdoor <command>`: dispatches to src/cli/commands. Works directly against the database of the
// environment it runs in (the same variables as the server). Output is for humans unless --json;
// any failure is one line on stderr with exit code 1 (2 for configuration errors).
import { adminBootstrap, adminTokenCreate } from './commands/admin.ts';
import { apiCreate, apiDelete, apiList } from './commands/api.ts';
import { appCreate, appDelete, appList, appRotateSecret, appUpdate } from './commands/app.ts';
import { keysList, keysRotate, keysRotateMaster } from './commands/keys.ts';
import { auditExport, auditVerify } from './commands/audit.ts';
import { migrate, start } from './commands/server.ts';
import { cluster } from './commands/cluster.ts';
import { tenantCreate, tenantList } from './commands/tenant.ts';
import { connectionCreate, connectionDelete, connectionList } from './commands/connection.ts';
import { userCreate, userDelete, userDisable, userEnable, userList } from './commands/user.ts';
import { describeFailure, out, parseCommand, table, UsageError, type Command } from './support.ts';

export const commands: readonly Command[] = [
  start,
  cluster,
  migrate,
  tenantCreate,
  tenantList,
  appCreate,
  appList,
  appUpdate,
  appRotateSecret,
  appDelete,
  apiCreate,
  apiList,
  apiDelete,
  connectionCreate,
  connectionList,
  connectionDelete,
  userCreate,
  userList,
  userDisable,
  userEnable,
  userDelete,
  adminBootstrap,
  adminTokenCreate,
  keysRotate,
  keysRotateMaster,
  keysList,
  auditVerify,
  auditExport,
];

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h' || arg === 'help';

function overview(group?: string): string {
  const listed = commands.filter((c) => !group || c.name.startsWith(`${group} `));
  const title = group ? `Usage: frontdoor ${group} <command> [options]` : 'Usage: frontdoor <command> [options]';
  return [
    title,
    '',
    'Commands:',
    table(['', ''], listed.map((c) => [`  ${c.name}`, c.summary])).split('\n').slice(1).join('\n'),
    '',
    `Run "frontdoor ${group ? `${group} ` : ''}<command> --help" for a command's options. Commands read the same`,
    'environment as the server (DATABASE_URL, FRONTDOOR_DATA_DIR, ...).',
  ].join('\n');
}

/** The command named by the longest prefix of argv, and the arguments after its name. */
function resolve(argv: string[]): { command: Command; rest: string[] } | { group: string; rest: string[] } {
  for (const command of commands) {
    const words = command.name.split(' ');
    if (words.every((word, i) => argv[i] === word)) return { command, rest: argv.slice(words.length) };
  }
  // A group word alone (`frontdoor user`, `frontdoor admin token --help`).
  for (let length = Math.min(argv.length, 2); length > 0; length--) {
    const group = argv.slice(0, length).join(' ');
    if (commands.some((c) => c.name.startsWith(`${group} `))) return { group, rest: argv.slice(length) };
  }
  throw new UsageError(`unknown command "${argv.filter((a) => !a.startsWith('-')).slice(0, 2).join(' ') || argv[0]}" (see: frontdoor --help)`);
}

export async function main(argv: string[]): Promise<void> {
  try {
    if (argv.length === 0) throw new UsageError('missing command (see: frontdoor --help)');
    if (isHelp(argv[0]) && argv.length === 1) {
      out(overview());
      return;
    }
    const found = resolve(argv);
    if ('group' in found) {
      if (isHelp(found.rest[0])) {
        out(overview(found.group));
        return;
      }
      const next = found.rest[0];
      throw new UsageError(next ? `unknown command "${found.group} ${next}" (see: frontdoor ${found.group} --help)` : `missing command after "${found.group}" (see: frontdoor ${found.group} --help)`);
    }
    const args = parseCommand(found.command, found.rest);
    if (args) await found.command.run(args);
  } catch (error) {
    const { line, exitCode } = describeFailure(error);
    process.stderr.write(line);
    process.exitCode = exitCode;
  }
}
