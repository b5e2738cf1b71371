import { describe, expect, it } from 'vitest';
import { mailboxPair } from '../../../shared/contracts/mailbox-pair.js';
import type { MailboxLeases } from '../../../shared/domain/leases/mailbox-lease.js';
import { getLab } from '../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../lab/mailboxes.js';
import { seedMailbox } from '../../lab/seed.js';
import { compareSnapshots, snapshotMailbox } from '../../lab/snapshot.js';
import { bulkCorpus } from '../../lab/corpus.js';
import { runThroughEngine } from '../../support/engine-run.js';

describe('runBatch when a pair\'s lease cannot be taken', () => {
  it('that pair is reported failed and left untouched; the other pairs of the batch are copied', async () => {
    const lab = getLab();
    const [broken, fine] = [uniqueAddress('leasebroken'), uniqueAddress('leasefine')];
    for (const [i, a] of [broken, fine].entries()) {
      await addMailbox(lab, 'source', a);
      await addMailbox(lab, 'destination', a);
      await seedMailbox(lab, 'source', a, bulkCorpus(20, { folders: 1, bodyBytes: 256, seed: `leasebroken-${i}` }));
    }
    const brokenKey = mailboxPair({ sourceEmail: broken, destinationEmail: broken }).key;
    const leases: MailboxLeases = {
      acquire: (mailbox) => (mailbox === brokenKey ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })) : Promise.resolve({ release: () => Promise.resolve() })),
    };
    const { report } = await runThroughEngine(lab, [broken, fine], { leases });
    const failed = report.mailboxes.find((m) => m.sourceEmail === broken)!;
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'STORAGE_UNAVAILABLE', message: expect.stringContaining("the mailbox pair's lease could not be taken") });
    expect(Object.values((await snapshotMailbox(lab, 'destination', broken)).folders).flatMap((f) => f.messages)).toEqual([]);
    expect(compareSnapshots(await snapshotMailbox(lab, 'source', fine), await snapshotMailbox(lab, 'destination', fine)).diffs).toEqual([]);
  });
});
