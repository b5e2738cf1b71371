import { describe, expect, it } from 'vitest';
import { PrepareTurns } from '../../../shared/engine/prepare-turns.js';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

describe('PrepareTurns', () => {
  it('gives one turn per slot; the next waiter gets a turn when one is given back, and a turn given back twice frees only one', async () => {
    const turns = new PrepareTurns(2);
    const got: string[] = [];
    const a = await turns.take();
    const b = await turns.take();
    const c = turns.take().then((t) => (got.push('c'), t));
    const d = turns.take().then((t) => (got.push('d'), t));
    await tick();
    expect(got).toEqual([]);
    expect(turns.pendingCount).toBe(2);
    a.giveBack();
    a.giveBack(); // the last folder started, then the pass ended: one turn, not two
    await tick();
    expect(got).toEqual(['c']);
    b.giveBack();
    await tick();
    expect(got).toEqual(['c', 'd']);
    expect(turns.pendingCount).toBe(0);
    (await c).giveBack();
    (await d).giveBack();
    // Both slots free again: two turns at once, no third.
    const e = await turns.take();
    const f = await turns.take();
    let third = false;
    void turns.take().then(() => (third = true));
    await tick();
    expect(third).toBe(false);
    e.giveBack();
    f.giveBack();
    await tick();
    expect(third).toBe(true);
  });
});
