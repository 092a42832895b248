// Requirement: a burst of sign-ins cannot queue unbounded memory-hard hashes; past a small bound
// callers are told "busy, retry in 1 s" at once instead of waiting behind work they will time out on.

import { FrontdoorError } from '../../core/errors.ts';

export interface WorkQueueOptions {
  /** Jobs running at once. */
  maxConcurrent: number;
  /** Jobs allowed to wait for a slot; 0 refuses as soon as every slot is taken. */
  maxQueue: number;
  /** How long a job may wait for a slot before it is refused. */
  queueTimeoutMs: number;
}

export interface WorkQueue {
  /** Runs `work` when a slot is free (FIFO), or throws `server.busy`. */
  run<T>(work: () => Promise<T>): Promise<T>;
  readonly running: number;
  readonly waiting: number;
}

interface Waiter {
  start(): void;
  timer: ReturnType<typeof setTimeout>;
}

function busy(detail: string): FrontdoorError {
  return new FrontdoorError('server.busy', { retryAfterSeconds: 1, detail });
}

function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new FrontdoorError('config.invalid', { detail: `work queue: ${name} must be an integer ≥ ${min}, got ${value}` });
  }
}

export function createWorkQueue(options: WorkQueueOptions): WorkQueue {
  requireInteger('maxConcurrent', options.maxConcurrent, 1);
  requireInteger('maxQueue', options.maxQueue, 0);
  requireInteger('queueTimeoutMs', options.queueTimeoutMs, 1);

  let running = 0;
  const waiters: Waiter[] = [];

  function acquire(): Promise<void> {
    if (running < options.maxConcurrent) {
      running++;
      return Promise.resolve();
    }
    if (waiters.length >= options.maxQueue) return Promise.reject(busy('work queue full'));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        start: resolve,
        timer: setTimeout(() => {
          const index = waiters.indexOf(waiter);
          // Already handed a slot: release() clears the timer, but never splice(-1) a stranger.
          if (index === -1) return;
          waiters.splice(index, 1);
          reject(busy(`waited ${options.queueTimeoutMs} ms for a slot`));
        }, options.queueTimeoutMs),
      };
      // A pending waiter is not a reason to keep the process alive at shutdown.
      waiter.timer.unref?.();
      waiters.push(waiter);
    });
  }

  function release(): void {
    const next = waiters.shift();
    if (next === undefined) {
      running--;
      return;
    }
    // Hand the slot straight over, so a newcomer cannot take it ahead of the queue.
    clearTimeout(next.timer);
    next.start();
  }

  return {
    async run<T>(work: () => Promise<T>): Promise<T> {
      await acquire();
      try {
        return await work();
      } finally {
        release();
      }
    },
    get running() {
      return running;
    },
    get waiting() {
      return waiters.length;
    },
  };
}
