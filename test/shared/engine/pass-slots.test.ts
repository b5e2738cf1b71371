import { describe, expect, it } from 'vitest';
import { BudgetPauses } from '../../../shared/engine/budget-pauses.js';
import { PassSlots, type HeldSlot } from '../../../shared/engine/pass-slots.js';
import { SourceReads } from '../../../shared/engine/source-reads.js';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));
const soon = (ms: number): string => new Date(Date.now() + ms).toISOString();

describe('PassSlots', () => {
  it('lets `slots` passes run at once, the next in line as one ends', async () => {
    const slots = new PassSlots(2);
    const running: string[] = [];
    const ends = new Map<string, () => void>();
    const pass = (name: string): Promise<void> =>
      slots.run(async () => {
        running.push(name);
        await new Promise<void>((r) => ends.set(name, r));
      });
    const all = ['a', 'b', 'c'].map(pass);
    await tick();
    expect(running).toEqual(['a', 'b']);
    expect(slots.pendingCount).toBe(1);
    ends.get('a')!();
    await tick();
    expect(running).toEqual(['a', 'b', 'c']);
    ends.get('b')!();
    ends.get('c')!();
    await Promise.all(all);
    expect(slots.pendingCount).toBe(0);
  });

  it('a slot handed back goes to the next in line; taken again, it comes before passes that have not started', async () => {
    const slots = new PassSlots(1);
    const order: string[] = [];
    let held!: HeldSlot;
    let goOn!: () => void;
    const first = slots.run(async (slot) => {
      held = slot;
      order.push('first starts');
      await new Promise<void>((r) => (goOn = r));
      order.push('first ends');
    });
    await tick();
    const second = slots.run(async () => {
      order.push('second starts');
      await tick();
      order.push('second ends');
    });
    const third = slots.run(async () => void order.push('third runs'));
    await tick();
    expect(order).toEqual(['first starts']);
    held.yield();
    const back = held.reclaim();
    await back;
    // The second ran in the handed-back slot; the reclaim came before the third.
    expect(order).toEqual(['first starts', 'second starts', 'second ends']);
    goOn();
    await Promise.all([first, second, third]);
    expect(order).toEqual(['first starts', 'second starts', 'second ends', 'first ends', 'third runs']);
  });
});

describe('PassSlots: a slot handed on for good', () => {
  it('frees one slot however often it is handed back, and the pass ending after it frees none more', async () => {
    const slots = new PassSlots(1);
    const order: string[] = [];
    let endFirst!: () => void;
    let endSecond!: () => void;
    const first = slots.run(async (slot) => {
      order.push('first reads');
      slot.yield();
      slot.yield(); // a second hand-back (a budget wait after it) frees nothing more
      await new Promise<void>((r) => (endFirst = r));
      order.push('first ends');
    });
    await tick();
    const second = slots.run(async () => {
      order.push('second starts');
      await new Promise<void>((r) => (endSecond = r));
      order.push('second ends');
    });
    const third = slots.run(async () => void order.push('third runs'));
    await tick();
    expect(order).toEqual(['first reads', 'second starts']);
    endFirst();
    await first;
    await tick();
    // The first pass ended without its slot: the third still waits for the second's.
    expect(order).toEqual(['first reads', 'second starts', 'first ends']);
    expect(slots.pendingCount).toBe(1);
    endSecond();
    await Promise.all([second, third]);
    expect(order).toEqual(['first reads', 'second starts', 'first ends', 'second ends', 'third runs']);
  });

  it('a pass that takes its slot back after handing it on gives it back at its end', async () => {
    const slots = new PassSlots(1);
    const order: string[] = [];
    const first = slots.run(async (slot) => {
      slot.yield();
      await slot.reclaim();
      await slot.reclaim(); // held already: takes no second slot
      order.push('first holds it again');
    });
    await first;
    await slots.run(async () => void order.push('second runs'));
    expect(order).toEqual(['first holds it again', 'second runs']);
    expect(slots.pendingCount).toBe(0);
  });
});

describe('SourceReads', () => {
  it('tells once, when every folder has read its source, however often each says so', () => {
    let told = 0;
    const reads = new SourceReads(2, () => (told += 1));
    const a = reads.folder();
    const b = reads.folder();
    a();
    a();
    expect(told).toBe(0);
    b();
    b();
    expect(told).toBe(1);
  });

  it('tells at once when no folder has anything to read', () => {
    let told = 0;
    new SourceReads(0, () => (told += 1));
    expect(told).toBe(1);
  });
});

describe('BudgetPauses', () => {
  it("hands the mailbox's slot back once for all its pausing folders, and has it again before any goes on", async () => {
    const log: string[] = [];
    let release!: () => void;
    const slot: HeldSlot = {
      yield: () => void log.push('yield'),
      reclaim: () => (log.push('reclaim'), new Promise<void>((r) => (release = r))),
    };
    const pauses = new BudgetPauses(slot);
    const at = soon(30);
    const folders = [pauses.until(at).then(() => log.push('folder 1 goes on')), pauses.until(at).then(() => log.push('folder 2 goes on'))];
    await new Promise((r) => setTimeout(r, 60));
    expect(log).toEqual(['yield', 'reclaim']);
    release();
    await Promise.all(folders);
    expect(log).toEqual(['yield', 'reclaim', 'folder 1 goes on', 'folder 2 goes on']);
    // A later pause hands it back again.
    const again = pauses.until(soon(10));
    await tick();
    expect(log.filter((l) => l === 'yield')).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 30));
    release();
    await again;
  });

  it('without a slot (the app, a lone run) only waits', async () => {
    const started = Date.now();
    await new BudgetPauses().until(soon(40));
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
  });
});
