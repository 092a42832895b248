// How busy the whole machine was, so a benchmark can say how much of the CPU other programs took
// while it measured, and where a process spent its own CPU time. Linux only (/proc); elsewhere the
// answers are null and nothing is shown.
import { readdirSync, readFileSync } from 'node:fs';

// /proc/stat counts in USER_HZ, which is 100 on every Linux architecture Node supports.
const USER_HZ = 100;

/** CPU time (ms, all cores) the machine has spent not idle since boot; null when unknown. */
export function machineBusyMs(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    if (!line.startsWith('cpu ')) return null;
    // user nice system idle iowait irq softirq steal (guest time is already inside user/nice)
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map(Number);
    if ([user, nice, system, idle, iowait, irq, softirq, steal].some((n) => n === undefined || !Number.isFinite(n))) return null;
    return ((user! + nice! + system! + irq! + softirq! + steal!) * 1000) / USER_HZ;
  } catch {
    return null;
  }
}

export interface ThreadCpu {
  /** The JavaScript (event loop) thread. */
  main: number;
  /** libuv's thread pool: argon2, WebCrypto, file system, DNS. */
  pool: number;
  /** Everything else: V8's GC and compiler helpers, the inspector, … */
  other: number;
}

/** CPU time (ms) of this process by thread kind, from /proc/self/task; null when not on Linux. */
export function threadCpuMs(): ThreadCpu | null {
  try {
    const result: ThreadCpu = { main: 0, pool: 0, other: 0 };
    for (const tid of readdirSync('/proc/self/task')) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      } catch {
        continue; // the thread ended while we looked
      }
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      // Fields after the command name: state is [0], utime [11], stime [12].
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
      if (!Number.isFinite(ms)) return null;
      if (Number(tid) === process.pid) result.main += ms;
      else if (name === 'libuv-worker') result.pool += ms;
      else result.other += ms;
    }
    return result;
  } catch {
    return null;
  }
}

/** CPU time (ms, user + system, all threads) process `pid` has used so far; null when unknown. */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
    return Number.isFinite(ms) ? ms : null;
  } catch {
    return null;
  }
}
