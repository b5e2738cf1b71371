import { describe, expect, it } from 'vitest';
import { WorkerSlots } from '../../../shared/engine/worker-slots.js';

/** A task that ends when told, and frees its worker early when told. */
function task(): { run: (free: () => void) => Promise<string>; end: (v: string) => void; free: () => void; started: boolean } {
  let end!: (v: string) => void;
  let freeIt: () => void = () => undefined;
  const t = {
    started: false,
    run: (free: () => void): Promise<string> => {
      t.started = true;
      freeIt = free;
      return new Promise<string>((r) => (end = r));
    },
    end: (v: string) => end(v),
    free: () => freeIt(),
  };
  return t;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('WorkerSlots: a mailbox\'s folder workers, which a folder may free before it ends', () => {
  it('runs at most `concurrency` folders at once, in the order queued', async () => {
    const slots = new WorkerSlots(2);
    const ts = [task(), task(), task()];
    const done = ts.map((t) => slots.run(t.run));
    await tick();
    expect(ts.map((t) => t.started)).toEqual([true, true, false]);
    expect([slots.activeCount, slots.pendingCount]).toEqual([2, 1]);
    ts[1]!.end('b');
    await tick();
    expect(ts[2]!.started).toBe(true);
    ts[0]!.end('a');
    ts[2]!.end('c');
    expect(await Promise.all(done)).toEqual(['a', 'b', 'c']);
    expect(slots.activeCount).toBe(0);
  });

  it('a folder that frees its worker lets the next start while it goes on; freeing twice, or then ending, frees one worker only', async () => {
    const slots = new WorkerSlots(1);
    const [a, b, c] = [task(), task(), task()];
    const done = [a, b, c].map((t) => slots.run(t.run));
    await tick();
    a.free();
    a.free();
    await tick();
    expect([a.started, b.started, c.started]).toEqual([true, true, false]);
    expect(slots.freedCount).toBe(1);
    a.end('a');
    await tick();
    // a's end did not free a second worker: c still waits for b's.
    expect(c.started).toBe(false);
    expect([slots.activeCount, slots.freedCount]).toEqual([1, 0]);
    b.end('b');
    await tick();
    expect(c.started).toBe(true);
    c.end('c');
    expect(await Promise.all(done)).toEqual(['a', 'b', 'c']);
  });

  it('raising its concurrency starts waiting folders at once; a folder that throws frees its worker and rejects', async () => {
    const slots = new WorkerSlots(1);
    const failing = slots.run(() => Promise.reject(new Error('boom')));
    const [b, c] = [task(), task()];
    const done = [b, c].map((t) => slots.run(t.run));
    await expect(failing).rejects.toThrow('boom');
    await tick();
    expect([b.started, c.started]).toEqual([true, false]);
    slots.concurrency = 2;
    expect(c.started).toBe(true);
    b.end('b');
    c.end('c');
    expect(await Promise.all(done)).toEqual(['b', 'c']);
  });
});
