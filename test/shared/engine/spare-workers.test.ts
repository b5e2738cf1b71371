import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { SpareWorkers } from '../../../shared/engine/spare-workers.js';
import { WorkerSlots } from '../../../shared/engine/worker-slots.js';

/** A task that runs until released: the test decides when each folder (or mailbox) ends. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('SpareWorkers', () => {
  it('lends a slot only once no mailbox waits, to the running mailbox with most folders left, never past its limit', async () => {
    const mailboxes = pLimit(2);
    const spare = new SpareWorkers(() => mailboxes.pendingCount, 2);
    const ends = { a: gate(), b: gate(), c: gate() };
    const limiters: Record<string, ReturnType<typeof pLimit>> = {};
    const folderGates: Record<string, ReturnType<typeof gate>[]> = {};
    const mailbox = (name: 'a' | 'b' | 'c', folders: number) =>
      mailboxes(async () => {
        const folderLimit = pLimit(1);
        limiters[name] = folderLimit;
        folderGates[name] = Array.from({ length: folders }, () => gate());
        const work = Promise.all(folderGates[name]!.map((g) => folderLimit(() => g.wait)));
        const leave = spare.join(folderLimit, 2);
        await ends[name].wait;
        for (const g of folderGates[name]!) g.open();
        await work;
        leave();
      });
    const all = Promise.all([mailbox('a', 1), mailbox('b', 4), mailbox('c', 3)]);
    await tick();
    // c waits for a slot: nothing is lent.
    expect(limiters.a!.concurrency).toBe(1);
    expect(limiters.b!.concurrency).toBe(1);
    ends.a.open();
    await tick();
    await tick();
    // a is done and c has taken its slot: still nobody waiting, but both slots are busy.
    expect(limiters.c).toBeDefined();
    expect(limiters.b!.concurrency + limiters.c!.concurrency).toBe(2);
    ends.c.open();
    await tick();
    await tick();
    // c is done, nobody waits: its slot goes to b (3 folders not started), which now runs 2 at once.
    expect(limiters.b!.concurrency).toBe(2);
    expect(limiters.b!.activeCount).toBe(2);
    ends.b.open();
    await all;
    expect(limiters.b!.concurrency).toBeLessThanOrEqual(2);
  });

  it('lends nothing to a mailbox that has no folder left to start, and nothing past MAX_CONNECTIONS_PER_MAILBOX', async () => {
    const mailboxes = pLimit(8);
    const spare = new SpareWorkers(() => mailboxes.pendingCount, 8);
    const busy = pLimit(1);
    const waiting = pLimit(1);
    const g = gate();
    const runs = [busy(() => g.wait), waiting(() => g.wait), waiting(() => g.wait), waiting(() => g.wait), waiting(() => g.wait)];
    const leaveBusy = spare.join(busy, 3);
    const leaveWaiting = spare.join(waiting, 3);
    await tick();
    expect(busy.concurrency).toBe(1); // nothing queued behind its one folder
    expect(waiting.concurrency).toBe(3); // 2 lent, capped at 3 although 6 slots are free
    g.open();
    await Promise.all(runs);
    leaveBusy();
    leaveWaiting();
  });

  it('counts the workers a mailbox lends its own ranges as lanes as busy: they are not lent to another mailbox', async () => {
    const mailboxes = pLimit(3);
    const spare = new SpareWorkers(() => mailboxes.pendingCount, 3);
    const g = gate();
    // One mailbox copies one folder with two lanes (all three slots' connections); the other has folders waiting.
    const laning = pLimit(3);
    const waiting = pLimit(1);
    const runs = [laning(() => g.wait), waiting(() => g.wait), waiting(() => g.wait), waiting(() => g.wait)];
    let lanes = 2;
    const leaveLaning = spare.join(laning, 3, () => lanes);
    const leaveWaiting = spare.join(waiting, 3);
    await tick();
    expect(waiting.concurrency).toBe(1);
    // Its lanes given back and the mailbox gone: the slots go to the one with folders waiting.
    lanes = 0;
    leaveLaning();
    await tick();
    expect(waiting.concurrency).toBe(3);
    g.open();
    await Promise.all(runs);
    leaveWaiting();
  });

  it('counts a folder that freed its worker early as busy until it ends: its APPEND connection is still held', async () => {
    const mailboxes = pLimit(2);
    const spare = new SpareWorkers(() => mailboxes.pendingCount, 2);
    const tail = gate();
    const g = gate();
    // One mailbox's only folder has read its source and freed its worker; its last APPENDs are still answered.
    const freeing = new WorkerSlots(1);
    const freeingRun = freeing.run(async (free) => {
      free();
      await tail.wait;
    });
    const waiting = pLimit(1);
    const runs = [waiting(() => g.wait), waiting(() => g.wait)];
    await tick();
    expect([freeing.activeCount, freeing.freedCount]).toEqual([0, 1]);
    const leaveFreeing = spare.join(freeing, 3);
    const leaveWaiting = spare.join(waiting, 3);
    await tick();
    expect(waiting.concurrency).toBe(1);
    // Ended: its slot is lent.
    tail.open();
    await freeingRun;
    expect(freeing.freedCount).toBe(0);
    leaveFreeing();
    await tick();
    expect(waiting.concurrency).toBe(2);
    g.open();
    await Promise.all(runs);
    leaveWaiting();
  });
});

