import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileCheckpointStore } from '../../../shared/adapters/state/file-checkpoint-store.js';
import { spendBudget } from '../../../shared/engine/spend-budget.js';

const MAILBOX = 'a@example.com->b@example.com';
const limits = { bytesPerWindow: 1000, windowMs: 60_000 };
const t0 = Date.parse('2026-12-05T00:00:00.000Z');
const stores: FileCheckpointStore[] = [];
const open = (dir: string): FileCheckpointStore => {
  const s = new FileCheckpointStore(dir);
  stores.push(s);
  return s;
};

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

describe('spendBudget over the file ledger', () => {
  it('a new process (a second pass the same day) finds the window spent and gets no fresh budget', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'budget-'));
    expect(await spendBudget(open(dir), MAILBOX, [600, 600], limits, () => t0)).toEqual({ take: 1, resumesAt: '2026-12-05T00:01:00.000Z' });
    const next = open(dir);
    expect(await spendBudget(next, MAILBOX, [600], limits, () => t0 + 30_000)).toEqual({ take: 0, resumesAt: '2026-12-05T00:01:00.000Z' });
    expect(await spendBudget(next, MAILBOX, [600], limits, () => t0 + 60_000)).toEqual({ take: 1 });
  });

  it('folders of one mailbox spending at once never take more than the budget together', async () => {
    const store = open(mkdtempSync(join(tmpdir(), 'budget-')));
    const grants = await Promise.all(Array.from({ length: 8 }, () => spendBudget(store, MAILBOX, [300], limits, () => t0)));
    expect(grants.reduce((n, g) => n + g.take, 0)).toBe(3);
    expect((await store.readBudget(MAILBOX)).window).toEqual({ startedAt: '2026-12-05T00:00:00.000Z', bytes: 900 });
  });

  it('a write against a version someone else has moved is refused', async () => {
    const store = open(mkdtempSync(join(tmpdir(), 'budget-')));
    expect(await store.writeBudget(MAILBOX, { startedAt: '2026-12-05T00:00:00.000Z', bytes: 1 }, undefined)).toBe(true);
    const { version } = await store.readBudget(MAILBOX);
    expect(await store.writeBudget(MAILBOX, { startedAt: '2026-12-05T00:00:00.000Z', bytes: 2 }, version)).toBe(true);
    expect(await store.writeBudget(MAILBOX, { startedAt: '2026-12-05T00:00:00.000Z', bytes: 3 }, version)).toBe(false);
    expect(await store.writeBudget(MAILBOX, { startedAt: '2026-12-05T00:00:00.000Z', bytes: 3 }, undefined)).toBe(false);
  });
});
