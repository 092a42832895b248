// The risk engine's records (assessments, sign-in history) are append-only and many: one or two
// per attempt, thousands a second under an attack. Written one by one, each is a commit on the
// request's path; buffered here and written in one multi-row insert per batch, they cost the
// request almost nothing. A batch goes when it is full or `maxDelayMs` after its first record;
// reads of this node see the buffer (`pending`), other nodes within that delay. A crash loses at
// most one batch of explanation data, never a decision already made.
import { AsyncResource } from 'node:async_hooks';

export interface WriteBehind<T> {
  add(item: T): void;
  /** Records not yet written — buffered, or in a batch being written — oldest first. */
  pending(): readonly T[];
  /** Writes what is buffered now (before a read that must see it, and at shutdown). */
  flush(): Promise<void>;
}

export function createWriteBehind<T>(write: (items: T[]) => Promise<void>, options: { maxItems: number; maxDelayMs: number; onError: (error: unknown, lost: number) => void }): WriteBehind<T> {
  let buffer: T[] = [];
  // Batches handed to `write` and not finished: still pending to readers, or a record would be
  // in neither the buffer nor storage while an asynchronous write (PostgreSQL) is under way.
  const inFlight: T[][] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let writing: Promise<void> = Promise.resolve();
  // A batch belongs to no one request: its timer runs in the context the buffer was made in (at
  // start), not in that of the request whose record came first — else that request's accounting
  // (its query count) would be charged with the batch whenever the timer fires before it ends.
  const inOwnContext = AsyncResource.bind((work: () => void) => work());

  function flush(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (buffer.length === 0) return writing;
    const batch = buffer;
    buffer = [];
    inFlight.push(batch);
    // One batch at a time, in order; a failed batch is reported and dropped, not retried forever.
    writing = writing.then(() =>
      write(batch)
        .catch((error: unknown) => options.onError(error, batch.length))
        .finally(() => {
          inFlight.splice(inFlight.indexOf(batch), 1);
        }),
    );
    return writing;
  }

  return {
    add(item) {
      buffer.push(item);
      if (buffer.length >= options.maxItems) void flush();
      else if (!timer) {
        inOwnContext(() => {
          timer = setTimeout(() => void flush(), options.maxDelayMs);
          timer.unref();
        });
      }
    },
    pending: () => (inFlight.length === 0 ? buffer : [...inFlight.flat(), ...buffer]),
    flush,
  };
}
