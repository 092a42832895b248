// frontdoor audit verify / export: checks a tenant's tamper-evident audit chain
// (core/audit/audit-chain.ts) in the database or in an exported file, and writes such a file.
// `verify` exits 3 when the chain is broken, so a cron job or monitoring check can act on it.
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import type { JWK } from 'jose';
import { sealAuditChain, verifyAuditChain, type AuditChainProblem, type AuditChainReport } from '../../core/audit/audit-chain.ts';
import { publicSigningKeys } from '../../core/audit/audit-checkpoint.ts';
import { exportAuditLog, verifyAuditExport } from '../../core/audit/audit-export.ts';
import { requireTenant } from '../../core/tenants/tenant-admin.ts';
import { optionalString, out, outJson, requiredString, UsageError, withServices, type Command } from '../support.ts';

const PROBLEMS: Record<AuditChainProblem, string> = {
  changed: 'the row was changed after it was sealed (or a forged row took its place)',
  missing: 'the row that held this place was removed',
  cut_off: 'rows were removed from the end of the chain',
  rewritten: 'the chain up to here no longer matches the checkpoint signed for this place: rows before it were changed and the chain rebuilt',
  bad_checkpoint: 'a signed checkpoint for this place does not verify (altered, or not signed by the tenant)',
  unanchored_start: 'the chain begins here (older rows removed), but no signed checkpoint vouches for this place: rows were removed behind Frontdoor\'s back',
};

function printReport(what: string, report: AuditChainReport, json: boolean, extra: Record<string, unknown> = {}): void {
  const broken = report.firstBroken;
  if (json) {
    outJson({
      tenant: report.tenantId,
      ok: report.ok,
      start: report.start,
      sealed: report.sealed,
      unsealed: report.unsealed,
      anchored: report.anchored && { seq: report.anchored.seq, signed_at: new Date(report.anchored.signedAt).toISOString(), kid: report.anchored.kid },
      checkpoints_with_unknown_key: report.checkpointsWithUnknownKey,
      first_broken: broken,
      ...extra,
    });
  } else if (!broken) {
    const anchor = report.anchored
      ? `signed checkpoint at row ${report.anchored.seq} (${new Date(report.anchored.signedAt).toISOString()}, key ${report.anchored.kid})`
      : 'no signed checkpoint verified yet';
    const removed = report.start > 0 ? ` (rows 1-${report.start} were removed by retention)` : '';
    out(`${what} holds: ${report.sealed - report.start} rows checked${removed}, ${report.unsealed} not sealed yet; ${anchor}.`);
    if (report.checkpointsWithUnknownKey) out(`${report.checkpointsWithUnknownKey} older checkpoint(s) signed with keys no longer given were not checked.`);
  } else {
    out(`${what} is BROKEN at row ${broken.seq}${broken.id ? ` (${broken.id})` : ''}: ${PROBLEMS[broken.problem]}. ${report.sealed - report.start} rows before it hold.`);
  }
  if (broken) process.exitCode = 3;
}

export const auditVerify: Command = {
  name: 'audit verify',
  summary: "Check a tenant's audit log (or an exported one) for tampering",
  help: `Usage: frontdoor audit verify --tenant T [--json]
       frontdoor audit verify --file EXPORT.jsonl [--jwks JWKS.json] [--json]

With --tenant: links the rows written since the last seal into tenant T's audit chain (the running
server does this every five seconds), then walks the chain from its first row. Every row is linked
to the one before it by a SHA-256 hash, so a row changed or removed after it was sealed breaks the
chain there; and the chain must match every checkpoint signed with the tenant's signing key, so a
chain rebuilt after rows were changed is caught at the next checkpoint. When retention removed the
oldest rows, the check begins where the chain now begins, which a signed checkpoint must vouch for.

With --file: checks a file written by "frontdoor audit export" the same way, without a database.
Give --jwks the tenant's published keys (save {issuer}/jwks) so the checkpoints are checked
against keys the file cannot have forged; without it the keys in the file are used, which only
shows the file agrees with itself.

Exit code 0 when the chain holds, 3 when it is broken.

Options:
  --tenant T      tenant id
  --file F        an exported audit log (JSON Lines)
  --jwks J        a JWKS file ({"keys": [...]}) to check the file's checkpoints with
  --json          print {"tenant", "ok", "start", "sealed", "unsealed", "anchored", "first_broken", ...} as JSON
  -h, --help      show this help`,
  options: { tenant: { type: 'string' }, file: { type: 'string' }, jwks: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const file = optionalString(args, 'file');
    const json = Boolean(args.values.json);
    if (file) {
      if (optionalString(args, 'tenant')) throw new UsageError('give --tenant or --file, not both');
      const jwksFile = optionalString(args, 'jwks');
      let keys: JWK[] | undefined;
      if (jwksFile) {
        const parsed = JSON.parse(readFileSync(jwksFile, 'utf8')) as { keys?: unknown };
        if (!Array.isArray(parsed.keys)) throw new UsageError(`${jwksFile} is not a JWKS (no "keys" array)`);
        keys = parsed.keys as JWK[];
      }
      const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
      const report = await verifyAuditExport(lines, keys);
      printReport(`Exported audit log of ${report.tenantId}`, report, json, { keys_from: report.keysFrom });
      if (!json && report.keysFrom === 'file') out('Checkpoints were checked with the keys in the file; pass --jwks with the keys published at the issuer to rule out a forged file.');
      return;
    }
    const tenantId = requiredString(args, 'tenant', 'audit verify');
    const report = await withServices(async (services) => {
      await requireTenant(services.store, tenantId);
      await sealAuditChain(services, tenantId);
      return verifyAuditChain(services.store, tenantId, await publicSigningKeys(services.signingKeys, tenantId));
    });
    printReport(`Audit chain of ${tenantId}`, report, json);
  },
};

export const auditExport: Command = {
  name: 'audit export',
  summary: "Write a tenant's audit log to a file that can be checked offline",
  help: `Usage: frontdoor audit export --tenant T [--out FILE]

Seals what is pending, signs a checkpoint at the end of tenant T's audit chain with the tenant's
signing key, and writes the whole chain as JSON Lines (to FILE, or to standard output): a header,
the tenant's public signing keys, every signed checkpoint, then every row in chain order. Check it
anywhere with "frontdoor audit verify --file FILE --jwks JWKS.json".

Options:
  --tenant T      tenant id (required)
  --out FILE      write here instead of standard output
  -h, --help      show this help`,
  options: { tenant: { type: 'string' }, out: { type: 'string' } },
  async run(args) {
    const tenantId = requiredString(args, 'tenant', 'audit export');
    const path = optionalString(args, 'out');
    const { rows } = await withServices(async (services) => {
      await requireTenant(services.store, tenantId);
      const target = path ? createWriteStream(path, { flags: 'w' }) : process.stdout;
      const result = await exportAuditLog(services.auditChain, tenantId, async (line) => {
        if (!target.write(`${line}\n`)) await once(target, 'drain');
      });
      if (path) await new Promise<void>((resolve, reject) => (target as NodeJS.WritableStream).end((error?: Error | null) => (error ? reject(error) : resolve())));
      return result;
    });
    if (path) process.stderr.write(`Wrote ${rows} audit rows of ${tenantId} to ${path}.\n`);
  },
};
