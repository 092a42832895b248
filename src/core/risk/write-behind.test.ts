// The write-behind buffer of the risk records: batches by size and by time, keeps order, shows
// what is not written yet, and reports a failed batch instead of losing the process.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWriteBehind } from './write-behind.ts';

describe('write-behind buffer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes a full batch at once, in order, and shows the rest as pending', async () => {
    const written: number[][] = [];
    const buffer = createWriteBehind<number>(async (items) => void written.push(items), { maxItems: 3, maxDelayMs: 10_000, onError: () => undefined });
    for (let i = 1; i <= 4; i += 1) buffer.add(i);
    await buffer.flush();
    expect(written).toEqual([[1, 2, 3], [4]]);
    expect(buffer.pending()).toEqual([]);
  });

  it('a batch being written still counts as pending until the write is done', async () => {
    let release: () => void = () => undefined;
    const buffer = createWriteBehind<number>(() => new Promise<void>((resolve) => (release = resolve)), { maxItems: 2, maxDelayMs: 10_000, onError: () => undefined });
    buffer.add(1);
    buffer.add(2); // full: the write starts and waits
    buffer.add(3);
    await Promise.resolve();
    expect(buffer.pending()).toEqual([1, 2, 3]);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(buffer.pending()).toEqual([3]);
  });

  it('writes a partial batch after the delay', async () => {
    vi.useFakeTimers();
    const written: string[][] = [];
    const buffer = createWriteBehind<string>(async (items) => void written.push(items), { maxItems: 100, maxDelayMs: 50, onError: () => undefined });
    buffer.add('a');
    buffer.add('b');
    expect(buffer.pending()).toEqual(['a', 'b']);
    expect(written).toEqual([]);
    await vi.advanceTimersByTimeAsync(60);
    expect(written).toEqual([['a', 'b']]);
    expect(buffer.pending()).toEqual([]);
  });

  it('reports a failed batch with its size and goes on with the next', async () => {
    const lost: number[] = [];
    let fail = true;
    const written: number[][] = [];
    const buffer = createWriteBehind<number>(
      async (items) => {
        if (fail) throw new Error('disk full');
        written.push(items);
      },
      { maxItems: 10, maxDelayMs: 10_000, onError: (_error, count) => void lost.push(count) },
    );
    buffer.add(1);
    buffer.add(2);
    await buffer.flush();
    fail = false;
    buffer.add(3);
    await buffer.flush();
    expect(lost).toEqual([2]);
    expect(written).toEqual([[3]]);
  });
});
