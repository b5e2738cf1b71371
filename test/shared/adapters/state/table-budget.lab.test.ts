import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { TableCheckpointStore } from '../../../../shared/adapters/state/table-checkpoint-store.js';
import { spendBudget } from '../../../../shared/engine/spend-budget.js';
import { emptyCheckpoint } from '../../../../shared/domain/checkpoints/folder-checkpoint.js';
import { getLab } from '../../../lab/lab-info.js';

const PAIR = 'a@contoso.example->a@fabrikam.example';
const limits = { bytesPerWindow: 1000, windowMs: 60_000 };
const t0 = Date.parse('2026-12-05T00:00:00.000Z');

describe('the byte budget in the Table ledger (Azurite)', () => {
  it('workers on separate clients spending one mailbox at once never exceed the budget (the ETag decides), and the window is read back', async () => {
    const name = `budget${Math.random().toString(36).slice(2, 10)}`;
    const make = () => new TableCheckpointStore(TableClient.fromConnectionString(getLab().azurite.connectionString, name, { allowInsecureConnection: true }));
    await make().put(PAIR, emptyCheckpoint('INBOX', 'INBOX', '1', new Date(t0).toISOString())); // creates the table before the race
    const workers = Array.from({ length: 6 }, make);
    const grants = await Promise.all(workers.map((w) => spendBudget(w, PAIR, [300], limits, () => t0)));
    expect(grants.reduce((n, g) => n + g.take, 0)).toBe(3);
    expect(grants.filter((g) => g.take === 0).every((g) => g.resumesAt === '2026-12-05T00:01:00.000Z')).toBe(true);
    expect((await make().readBudget(PAIR)).window).toEqual({ startedAt: '2026-12-05T00:00:00.000Z', bytes: 900 });
    // The budget row is not a folder.
    expect((await make().list(PAIR)).map((c) => c.sourcePath)).toEqual(['INBOX']);
  });
});
