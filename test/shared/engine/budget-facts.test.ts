import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileCheckpointStore } from '../../../shared/adapters/state/file-checkpoint-store.js';
import { loadSettings } from '../../../shared/config/settings.js';
import { mailboxPair } from '../../../shared/contracts/mailbox-pair.js';
import { budgetFacts } from '../../../shared/engine/budget-facts.js';
import { mailboxProgress } from '../../../shared/domain/dashboard/progress-view.js';
import { VALID_SETTINGS } from '../../support/valid-settings.js';

const row = { line: 2, sourceEmail: 'a@contoso.example', destinationEmail: 'b@fabrikam.example' };
const t0 = Date.parse('2026-12-05T00:00:00.000Z');
const stores: FileCheckpointStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

describe('budgetFacts: a running mailbox\'s byte budget for the live views', () => {
  it("reads the window the pair's ledger records, with the batch's budget or the row's own", async () => {
    const store = new FileCheckpointStore(mkdtempSync(join(tmpdir(), 'budget-facts-')));
    stores.push(store);
    await store.writeBudget(mailboxPair(row).key, { startedAt: new Date(t0).toISOString(), bytes: 700 }, undefined);
    const settings = loadSettings({ ...VALID_SETTINGS, DAILY_BYTES_PER_MAILBOX: '1000', BUDGET_WINDOW_SECONDS: '3600' });
    const facts = await budgetFacts({ settings }, store, row, t0 + 60_000);
    expect(mailboxProgress({ row, run: 'running', ...(facts ? { budget: facts } : {}) }).budget).toEqual({ usedBytes: 700, limitBytes: 1000, resetsAt: '2026-12-05T01:00:00.000Z' });
    // The row's DailyBytes over the batch's.
    expect((await budgetFacts({ settings }, store, { ...row, controls: { dailyBytes: 5000 } }, t0))?.limits.bytesPerWindow).toBe(5000);
  });

  it('without a budget: nothing, and the ledger is not read', async () => {
    const settings = loadSettings({ ...VALID_SETTINGS });
    const unread = { readBudget: (): never => { throw new Error('read'); } };
    expect(await budgetFacts({ settings }, unread, row)).toBeUndefined();
    expect(await budgetFacts({ settings }, unread, { ...row, controls: { dailyBytes: 0 } })).toBeUndefined();
  });
});
