// The worker half of sqlite-record-writer.ts: its own connection to the database file, inserting
// the batches it is sent in one transaction each, so the inserts (and the WAL checkpoints they
// sometimes trigger) block this thread, not the one serving requests. Self-contained: it runs under
// plain Node (type stripping), outside any bundler, and needs nothing but better-sqlite3.
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';

// The tables and columns it may write: the message names a table, never SQL.
const COLUMNS: Record<string, readonly string[]> = {
  sign_in_events: ['id', 'tenant_id', 'user_id', 'at', 'device_hash', 'device_name', 'network', 'country', 'place', 'latitude_e4', 'longitude_e4', 'accuracy_km', 'methods', 'session_id', 'risk_event_id'],
  risk_events: ['id', 'tenant_id', 'user_id', 'at', 'kind', 'stage', 'score', 'level', 'action', 'reasons', 'ip', 'country', 'request_id'],
};

interface Batch {
  seq: number;
  table: string;
  rows: Record<string, unknown>[];
}

const { file } = workerData as { file: string };
const sqlite = new BetterSqlite3(file);
sqlite.pragma('journal_mode = WAL');
sqlite.pragma('synchronous = NORMAL');
sqlite.pragma('foreign_keys = ON');
sqlite.pragma('busy_timeout = 5000');

const inserts = new Map(
  Object.entries(COLUMNS).map(([table, columns]) => {
    const statement = sqlite.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
    return [table, sqlite.transaction((rows: Record<string, unknown>[]) => {
      for (const row of rows) statement.run(row);
    })] as const;
  }),
);

parentPort!.on('message', (message: Batch | 'close') => {
  if (message === 'close') {
    sqlite.close();
    parentPort!.close();
    return;
  }
  try {
    const insert = inserts.get(message.table);
    if (!insert) throw new Error(`no such table: ${message.table}`);
    insert(message.rows);
    parentPort!.postMessage({ seq: message.seq });
  } catch (error) {
    parentPort!.postMessage({ seq: message.seq, error: (error as Error).message });
  }
});
