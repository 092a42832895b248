// Appends the risk engine's records (sign-in history, risk events) to an SQLite database from a
// worker thread with its own connection. better-sqlite3 is synchronous: a 100-row batch took
// ~1.8 ms on the request thread, and the WAL checkpoint a commit sometimes triggers 10 ms and more
// (docs/benchmarks.md, bench:risk) — paid by whichever sign-in was running. In the worker they cost
// the request thread a message. Order is kept (one worker, one batch at a time); a failed batch is
// reported to the caller like a failed insert. Should the worker itself stop (it could not open the
// file, it crashed), batches in flight are reported lost and later ones go to `fallback`, the
// store's own inserts on the request thread: slower, but nothing else is lost.
import { Worker } from 'node:worker_threads';
import type { RiskEvent, SignInEvent } from '../core/ports.ts';
import type { RiskRecordWriter } from '../core/risk/risk-service.ts';
import type { RiskEventsTable, SignInEventsTable } from './schema.ts';

/** Turns records into the rows to insert, their personal values sealed (repositories/risk.ts). */
export interface RecordRows {
  signIns(items: readonly SignInEvent[]): Promise<SignInEventsTable[]>;
  riskEvents(items: readonly RiskEvent[]): Promise<RiskEventsTable[]>;
}

export function createSqliteRecordWriter(file: string, rows: RecordRows, fallback: RiskRecordWriter): RiskRecordWriter & { close(): Promise<void> } {
  const worker = new Worker(new URL('./sqlite-record-writer-worker.ts', import.meta.url), { workerData: { file } });
  // Idle, it must not keep the process alive; `close` ends it.
  worker.unref();
  const waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let seq = 0;
  let failure: Error | null = null;
  worker.on('message', (reply: { seq: number; error?: string }) => {
    const pending = waiting.get(reply.seq);
    waiting.delete(reply.seq);
    if (waiting.size === 0) worker.unref();
    if (reply.error) pending?.reject(new Error(reply.error));
    else pending?.resolve();
  });
  const failAll = (error: Error) => {
    failure = error;
    for (const pending of waiting.values()) pending.reject(error);
    waiting.clear();
  };
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`record writer stopped (exit code ${code})`)));

  function send(table: 'sign_in_events' | 'risk_events', rows: object[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    seq += 1;
    const id = seq;
    return new Promise<void>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      // Waiting for a reply keeps the process alive, as a pending database write would.
      worker.ref();
      worker.postMessage({ seq: id, table, rows });
    });
  }

  return {
    signIns: async (items: SignInEvent[]) => (failure ? fallback.signIns(items) : send('sign_in_events', await rows.signIns(items))),
    riskEvents: async (items: RiskEvent[]) => (failure ? fallback.riskEvents(items) : send('risk_events', await rows.riskEvents(items))),
    async close() {
      if (failure) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.ref();
      worker.postMessage('close');
      await exited;
    },
  };
}
