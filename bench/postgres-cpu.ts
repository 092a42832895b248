// CPU time spent by the PostgreSQL backends serving one database, so a benchmark against a local
// PostgreSQL can count the database's share of each operation. Reads /proc/<pid>/stat of the backend
// processes listed in pg_stat_activity: Linux, PostgreSQL on this machine and in the same process
// namespace. Anywhere else the answers are null and nothing is shown.
import { readFileSync } from 'node:fs';
import pg from 'pg';

// /proc/<pid>/stat counts in USER_HZ, which is 100 on every Linux architecture Node supports.
const USER_HZ = 100;

function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? ((utime + stime) * 1000) / USER_HZ : null;
  } catch {
    return null;
  }
}

export interface PostgresCpu {
  /** CPU ms per backend pid right now; null when it cannot be read. */
  sample(): Promise<Map<number, number> | null>;
  close(): Promise<void>;
}

export async function watchPostgresCpu(adminUrl: string, database: string): Promise<PostgresCpu> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  return {
    async sample() {
      const { rows } = await client.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [database]);
      const cpu = new Map<number, number>();
      for (const { pid } of rows) {
        const ms = processCpuMs(pid);
        if (ms === null) return null;
        cpu.set(pid, ms);
      }
      return cpu;
    },
    close: () => client.end(),
  };
}

/** CPU ms the backends used between two samples (backends that started in between count whole). */
export function cpuBetween(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}
