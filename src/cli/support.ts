// What every command shares: argument parsing with node:util, the services opened from the same
// environment as the server (and always closed), output in human or JSON form, and the one-line
// error with its exit code.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { Services } from '../app.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { isFrontdoorError, type ErrorCode, type FrontdoorError } from '../core/errors.ts';
import type { Tenant } from '../core/ports.ts';
import { requireTenant } from '../core/tenants/tenant-admin.ts';
import { t } from '../pages/i18n/index.ts';

/** Wrong command line: unknown command or option, missing or malformed value. Exit code 1. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export interface Command {
  /** Words after `frontdoor`, e.g. `tenant create`. */
  name: string;
  summary: string;
  /** Full help text; `--help` prints it and exits 0. */
  help: string;
  options?: ParseArgsOptionsConfig;
  /** Names of the positional arguments, in order (all required). */
  positionals?: string[];
  run(args: ParsedArgs): Promise<void>;
}

const commonOptions: ParseArgsOptionsConfig = {
  help: { type: 'boolean', short: 'h' },
};

/** Parses argv for one command; `null` means help was asked for (and printed). */
export function parseCommand(command: Command, argv: string[]): ParsedArgs | null {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...commonOptions, ...command.options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see: frontdoor ${command.name} --help)`);
  }
  if (parsed.values.help) {
    out(command.help);
    return null;
  }
  const expected = command.positionals ?? [];
  if (parsed.positionals.length < expected.length) throw new UsageError(`missing <${expected[parsed.positionals.length]}> (see: frontdoor ${command.name} --help)`);
  if (parsed.positionals.length > expected.length) throw new UsageError(`unexpected argument "${parsed.positionals[expected.length]}" (see: frontdoor ${command.name} --help)`);
  return { values: parsed.values as ParsedArgs['values'], positionals: parsed.positionals };
}

export function requiredString(args: ParsedArgs, name: string, command: string): string {
  const value = args.values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`missing required option --${name} (see: frontdoor ${command} --help)`);
  return value;
}

export function optionalString(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function stringList(args: ParsedArgs, name: string): string[] {
  const value = args.values[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

export function integerOption(args: ParsedArgs, name: string, fallback: number, min: number, max: number): number {
  const raw = optionalString(args, name);
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= min && value <= max)) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function outJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Rows as aligned columns, for human output. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/** Runs `work` with the services and the tenant named by --tenant (which must exist). */
export async function inTenant<T>(args: ParsedArgs, command: string, work: (services: Services, tenant: Tenant) => Promise<T>): Promise<T> {
  const tenantId = requiredString(args, 'tenant', command);
  return withServices(async (services) => work(services, await requireTenant(services.store, tenantId)));
}

/** Opens storage and services from the environment (as `frontdoor start` would), runs `work`, closes. */
export async function withServices<T>(work: (services: Services) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  // Loaded on demand, so `--help` and usage errors answer without loading storage and hashing.
  const { createServices } = await import('../app.ts');
  const services = await createServices(config);
  try {
    return await work(services);
  } finally {
    await services.close();
  }
}

// Page texts speak to end users ("Sign in instead"); an operator needs these instead.
const CLI_MESSAGES: Partial<Record<ErrorCode, string>> = {
  'tenant.not_found': 'no such tenant',
  'tenant.exists': 'a tenant with this id already exists',
  'user.not_found': 'no such user in this tenant',
  'user.exists': 'a user with this email address already exists in the tenant',
  'app.not_found': 'no such application in this tenant',
};

function frontdoorErrorMessage(error: FrontdoorError): string {
  const text = error.detail ?? CLI_MESSAGES[error.code] ?? t('en', `error.${error.code}`);
  return `${text} [${error.code}${error.field ? `, ${error.field}` : ''}]`;
}

function plainMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return plainMessage(error.errors[0]);
  if (error instanceof Error) return error.message || (error as { code?: string }).code || error.name;
  return String(error);
}

/** The single stderr line and exit code for anything a command throws. Never a stack trace. */
export function describeFailure(error: unknown): { line: string; exitCode: number } {
  let message: string;
  let exitCode = 1;
  if (error instanceof ConfigError) {
    message = `configuration error: ${error.message}`;
    exitCode = 2;
  } else if (isFrontdoorError(error)) {
    message = frontdoorErrorMessage(error);
  } else {
    message = plainMessage(error);
  }
  return { line: `frontdoor: ${message.replace(/\s+/g, ' ').trim()}\n`, exitCode };
}
