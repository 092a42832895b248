// One time for the whole cluster: the database's. Nodes whose clocks disagree by minutes would
// disagree on expiry — an authorization code (60 s) minted on a node two minutes slow is expired
// on a node two minutes fast. oidc-provider reads Date.now() itself, so only a process-wide
// correction keeps its checks consistent: every 30 s the node compares its clock with
// PostgreSQL's (the midpoint of the query's round trip, best of three), and while they differ by
// more than a quarter second Date.now() returns the database's time. `new Date()` and timers are
// untouched. SQLite is one node: nothing to agree with.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface ClusterClock {
  /** What is added to this machine's clock now (ms; 0 while within the tolerance). */
  offsetMs(): number;
  stop(): void;
}

const realNow = Date.now.bind(Date);
let applied = 0;
let patched = false;

function apply(offset: number): void {
  applied = offset;
  if (offset !== 0 && !patched) {
    patched = true;
    Date.now = () => realNow() + applied;
  }
}

export async function startClusterClock(db: Kysely<Database>, options: { intervalMs?: number; toleranceMs?: number; onOffset?: (offsetMs: number) => void } = {}): Promise<ClusterClock> {
  const tolerance = options.toleranceMs ?? 250;
  async function measure(): Promise<void> {
    let best: { rtt: number; offset: number } | null = null;
    for (let i = 0; i < 3; i += 1) {
      const before = realNow();
      const { rows } = await sql<{ now: number | string }>`select floor(extract(epoch from clock_timestamp()) * 1000)::bigint as now`.execute(db);
      const after = realNow();
      const offset = Number(rows[0]!.now) - (before + after) / 2;
      if (!best || after - before < best.rtt) best = { rtt: after - before, offset };
    }
    const next = Math.abs(best!.offset) > tolerance ? Math.round(best!.offset) : 0;
    if (next !== applied) options.onOffset?.(next);
    apply(next);
  }
  await measure();
  const timer = setInterval(() => void measure().catch(() => undefined), options.intervalMs ?? 30_000);
  timer.unref();
  return { offsetMs: () => applied, stop: () => clearInterval(timer) };
}
