import { TableClient } from '@azure/data-tables';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TablePairLeases } from '../../../shared/adapters/state/table-pair-leases.js';
import { mailboxPair } from '../../../shared/contracts/mailbox-pair.js';
import type { BatchReport } from '../../../shared/contracts/report.js';
import { getLab, labSettings } from '../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../lab/mailboxes.js';
import { seedMailbox } from '../../lab/seed.js';
import { compareSnapshots, snapshotMailbox } from '../../lab/snapshot.js';
import { bulkCorpus } from '../../lab/corpus.js';
import { runCli, workDir } from '../../support/run-cli.js';

describe('mailmig migrate on the shared table ledger beside a Functions batch', () => {
  it('a pair the batch holds is refused (naming the batch) and not written; the rest is copied; once released, the run copies it exactly', async () => {
    const lab = getLab();
    const [held, free] = [uniqueAddress('batchheld'), uniqueAddress('batchfree')];
    for (const [i, a] of [held, free].entries()) {
      await addMailbox(lab, 'source', a);
      await addMailbox(lab, 'destination', a);
      await seedMailbox(lab, 'source', a, bulkCorpus(60, { folders: 2, bodyBytes: 512, seed: `batchheld-${i}` }));
    }
    const table = `heldpairs${Math.random().toString(36).slice(2, 10)}`;
    const w = workDir(labSettings(lab, { CHECKPOINT_TABLE: table }), `Email\n${held}\n${free}\n`);
    const app = new TablePairLeases(TableClient.fromConnectionString(lab.azurite.connectionString, table, { allowInsecureConnection: true }));
    const claim = { batchId: 'b-fedcba9876543210fedcba9876543210', instanceId: 'b-fedcba9876543210fedcba9876543210:p1:m2' };
    const key = mailboxPair({ sourceEmail: held, destinationEmail: held }).key;
    expect(await app.take(key, claim)).toEqual({ held: true });

    const first = await runCli(['migrate', '--csv', w.csvPath, '--settings', w.settingsPath, '--report', `${w.dir}/first.json`]);
    expect(first.code, first.stderr).toBe(1);
    const report = JSON.parse(readFileSync(`${w.dir}/first.json`, 'utf8')) as BatchReport;
    const refused = report.mailboxes.find((m) => m.sourceEmail === held)!;
    expect(refused.error).toMatchObject({ code: 'MAILBOX_LEASED', message: expect.stringContaining(`held by batch ${claim.batchId}`) });
    expect(Object.values((await snapshotMailbox(lab, 'destination', held)).folders).flatMap((f) => f.messages)).toEqual([]);
    expect(compareSnapshots(await snapshotMailbox(lab, 'source', free), await snapshotMailbox(lab, 'destination', free)).diffs).toEqual([]);
    // While the run copied `free`, it held that pair in the table: the batch could not have taken it. Now released.
    expect(await app.take(mailboxPair({ sourceEmail: free, destinationEmail: free }).key, claim)).toEqual({ held: true });

    await app.release(key, claim);
    const second = await runCli(['migrate', '--csv', w.csvPath, '--settings', w.settingsPath, '--report', `${w.dir}/second.json`]);
    // `free` is now the batch's: refused this time, and `held` copied exactly.
    expect(second.code, second.stderr).toBe(1);
    expect(compareSnapshots(await snapshotMailbox(lab, 'source', held), await snapshotMailbox(lab, 'destination', held)).diffs).toEqual([]);
    expect(compareSnapshots(await snapshotMailbox(lab, 'source', free), await snapshotMailbox(lab, 'destination', free)).diffs).toEqual([]);
  }, 180_000);
});
