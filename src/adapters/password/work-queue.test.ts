import { afterEach, describe, expect, it, vi } from 'vitest';
import { FrontdoorError } from '../../core/errors.ts';
import { createWorkQueue } from './work-queue.ts';

// Work whose completion the test decides, so nothing depends on real time.
function manualJob<T>(value: T) {
  let finish!: () => void;
  let started = false;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const work = async () => {
    started = true;
    await done;
    return value;
  };
  return { work, finish, started: () => started };
}

// Lets queued promise callbacks run.
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

async function busyError(promise: Promise<unknown>): Promise<FrontdoorError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FrontdoorError);
  return error as FrontdoorError;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Hashing work queue: bounded concurrency', () => {
  it('runs at most maxConcurrent jobs at once', async () => {
    const queue = createWorkQueue({ maxConcurrent: 2, maxQueue: 10, queueTimeoutMs: 5000 });
    const jobs = [manualJob(1), manualJob(2), manualJob(3)];
    const results = jobs.map((job) => queue.run(job.work));
    await settle();

    expect(jobs.map((job) => job.started())).toEqual([true, true, false]);
    expect(queue.running).toBe(2);
    expect(queue.waiting).toBe(1);

    jobs[0]!.finish();
    await settle();
    expect(jobs[2]!.started()).toBe(true);
    expect(queue.running).toBe(2);
    expect(queue.waiting).toBe(0);

    jobs[1]!.finish();
    jobs[2]!.finish();
    expect(await Promise.all(results)).toEqual([1, 2, 3]);
    expect(queue.running).toBe(0);
  });

  it('starts waiters in arrival order', async () => {
    const queue = createWorkQueue({ maxConcurrent: 1, maxQueue: 10, queueTimeoutMs: 5000 });
    const order: string[] = [];
    const first = manualJob('first');
    const running = queue.run(first.work);
    const waiting = ['a', 'b', 'c'].map((name) =>
      queue.run(async () => {
        order.push(name);
        return name;
      }),
    );
    await settle();
    expect(order).toEqual([]);

    first.finish();
    await Promise.all([running, ...waiting]);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('frees the slot when a job fails', async () => {
    const queue = createWorkQueue({ maxConcurrent: 1, maxQueue: 0, queueTimeoutMs: 5000 });
    await expect(queue.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(
      queue.run(() => {
        throw new Error('sync boom');
      }),
    ).rejects.toThrow('sync boom');
    expect(queue.running).toBe(0);
    expect(await queue.run(async () => 'after')).toBe('after');
  });
});

describe('Hashing work queue: refusing excess load', () => {
  it('answers server.busy when the queue is full, without running the job', async () => {
    const queue = createWorkQueue({ maxConcurrent: 1, maxQueue: 1, queueTimeoutMs: 5000 });
    const holder = manualJob('held');
    const held = queue.run(holder.work);
    const queued = manualJob('queued');
    const waiting = queue.run(queued.work);
    let extraRan = false;

    const error = await busyError(
      queue.run(async () => {
        extraRan = true;
      }),
    );
    expect(error.code).toBe('server.busy');
    expect(error.status).toBe(503);
    expect(error.retryAfterSeconds).toBe(1);
    expect(extraRan).toBe(false);

    holder.finish();
    await settle();
    queued.finish();
    expect(await Promise.all([held, waiting])).toEqual(['held', 'queued']);
  });

  it('answers server.busy to a waiter that waits longer than queueTimeoutMs', async () => {
    vi.useFakeTimers();
    const queue = createWorkQueue({ maxConcurrent: 1, maxQueue: 5, queueTimeoutMs: 1000 });
    const holder = manualJob('held');
    const held = queue.run(holder.work);
    const late = manualJob('late');
    const waiting = busyError(queue.run(late.work));
    await settle();

    vi.advanceTimersByTime(999);
    await settle();
    expect(queue.waiting).toBe(1);

    vi.advanceTimersByTime(1);
    const error = await waiting;
    expect(error.code).toBe('server.busy');
    expect(error.retryAfterSeconds).toBe(1);
    expect(queue.waiting).toBe(0);
    expect(late.started()).toBe(false);

    // The timed-out waiter must not be handed the slot later.
    holder.finish();
    await held;
    expect(queue.running).toBe(0);
  });

  it('removes only the timed-out waiter, keeping the others in order', async () => {
    vi.useFakeTimers();
    const queue = createWorkQueue({ maxConcurrent: 1, maxQueue: 5, queueTimeoutMs: 1000 });
    const holder = manualJob('held');
    const held = queue.run(holder.work);
    const early = busyError(queue.run(async () => 'early'));
    vi.advanceTimersByTime(500);
    const later = queue.run(async () => 'later');
    await settle();

    vi.advanceTimersByTime(500);
    expect((await early).code).toBe('server.busy');
    expect(queue.waiting).toBe(1);

    holder.finish();
    expect(await later).toBe('later');
    await held;
  });

  it('forgets the timeout of a waiter once it has a slot', async () => {
    vi.useFakeTimers();
    const queue = createWorkQueue({ maxConcurrent: 1, maxQueue: 5, queueTimeoutMs: 1000 });
    const holder = manualJob('held');
    const held = queue.run(holder.work);
    const first = manualJob('first');
    const firstResult = queue.run(first.work);
    expect(vi.getTimerCount()).toBe(1);

    vi.advanceTimersByTime(500);
    holder.finish();
    await held;
    await settle();
    expect(first.started()).toBe(true);
    expect(vi.getTimerCount()).toBe(0);

    // Past the first waiter's old deadline, a newer waiter is still queued and then served.
    const second = queue.run(async () => 'second');
    vi.advanceTimersByTime(600);
    expect(queue.waiting).toBe(1);
    first.finish();
    expect(await firstResult).toBe('first');
    expect(await second).toBe('second');
  });

  it('refuses invalid options at creation', () => {
    expect(() => createWorkQueue({ maxConcurrent: 0, maxQueue: 1, queueTimeoutMs: 1 })).toThrow(FrontdoorError);
    expect(() => createWorkQueue({ maxConcurrent: 1, maxQueue: -1, queueTimeoutMs: 1 })).toThrow(FrontdoorError);
    expect(() => createWorkQueue({ maxConcurrent: 1, maxQueue: 1, queueTimeoutMs: 0 })).toThrow(FrontdoorError);
  });
});
