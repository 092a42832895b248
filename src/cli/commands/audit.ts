// frontdoor audit verify: checks a tenant's tamper-evident audit chain (core/audit/audit-chain.ts)
// and names the first link that does not hold. Exit code 3 when the chain is broken, so a cron job
// or monitoring check can act on it.
import { sealAuditChain, verifyAuditChain } from '../../core/audit/audit-chain.ts';
import { requireTenant } from '../../core/tenants/tenant-admin.ts';
import { out, outJson, requiredString, withServices, type Command } from '../support.ts';

const PROBLEMS = {
  changed: 'the row was changed after it was sealed (or a forged row took its place)',
  missing: 'the row that held this place was removed',
  cut_off: 'rows were removed from the end of the chain',
} as const;

export const auditVerify: Command = {
  name: 'audit verify',
  summary: "Check a tenant's audit log for tampering",
  help: `Usage: frontdoor audit verify --tenant T [--json]

Links the rows written since the last seal into tenant T's audit chain (the running server does
this every five seconds), then walks the chain from its first row: every row is linked to the one
before it by a SHA-256 hash, so a row changed or removed after it was sealed breaks the chain
there. Exit code 0 when the chain holds, 3 when it is broken.

Options:
  --tenant T      tenant id (required)
  --json          print {"tenant", "ok", "sealed", "unsealed", "first_broken"} as JSON
  -h, --help      show this help`,
  options: { tenant: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const tenantId = requiredString(args, 'tenant', 'audit verify');
    const report = await withServices(async (services) => {
      await requireTenant(services.store, tenantId);
      await sealAuditChain(services, tenantId);
      return verifyAuditChain(services.store, tenantId);
    });
    const broken = report.firstBroken;
    if (args.values.json) {
      outJson({ tenant: report.tenantId, ok: report.ok, sealed: report.sealed, unsealed: report.unsealed, first_broken: broken });
    } else if (!broken) {
      out(`Audit chain of ${tenantId} holds: ${report.sealed} rows checked, ${report.unsealed} not sealed yet.`);
    } else {
      out(`Audit chain of ${tenantId} is BROKEN at row ${broken.seq}${broken.id ? ` (${broken.id})` : ''}: ${PROBLEMS[broken.problem]}. ${report.sealed} rows before it hold.`);
    }
    if (broken) process.exitCode = 3;
  },
};
