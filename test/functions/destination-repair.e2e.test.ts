import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, describe, expect, it } from 'vitest';
import { passHandler } from '../../functions/lib/http-handlers.js';
import type { BatchReport } from '../../shared/contracts/report.js';
import { getLab } from '../lab/lab-info.js';
import { compareSnapshots, snapshotMailbox } from '../lab/snapshot.js';
import { bulkCorpus } from '../lab/corpus.js';
import { withImap } from '../lab/imap.js';
import type { AppUnderTest } from '../support/durable-app/app-under-test.js';
import { stagedBatch } from '../support/durable-app/staged-batch.js';
import { seededPair } from '../support/lab-mailbox.js';

const apps: AppUnderTest[] = [];
const post = (id: string, what: string): HttpRequest => new HttpRequest({ method: 'POST', url: `http://localhost/api/migrations/${id}/${what}`, params: { id } });
const ctx = (): InvocationContext => new InvocationContext({ logHandler: () => undefined });

describe('Durable delta: the destination is the truth', () => {
  afterAll(async () => {
    for (const a of apps) await a.close();
  });

  it('a destination folder deleted and another partly emptied after pass 1: the delta (through the orchestrators and real activities) refills both exactly and its report says repaired; cut-over verifies PASS', async () => {
    const lab = getLab();
    const mailbox = await seededPair(lab, 'drepair', bulkCorpus(60, { folders: 3, seed: 'drepair' }));
    let pass2Csv = '';
    const { app, id, run } = await stagedBatch(apps, `Email\n${mailbox}\n`, 'drepair.csv', async (pass, batchId, staged) => {
      if (pass === 1) {
        await withImap(lab, 'destination', mailbox, async (c) => {
          await c.mailboxDelete('Bulk/001');
          await c.mailboxOpen('Bulk/002');
          await c.messageDelete('2:6');
        });
        expect((await passHandler(staged.deps, 'delta')(post(batchId, 'delta'), ctx())).status).toBe(202);
      } else if (pass === 2) {
        pass2Csv = (await staged.blobs.get('reports', `${batchId}/report.csv`))!.toString('utf8');
        expect((await passHandler(staged.deps, 'cutover')(post(batchId, 'complete'), ctx())).status).toBe(202);
      }
    });
    expect(run.status, run.error).toBe('Completed');

    const cmp = compareSnapshots(await snapshotMailbox(lab, 'source', mailbox), await snapshotMailbox(lab, 'destination', mailbox));
    expect(cmp.diffs).toEqual([]);
    const pass2 = JSON.parse((await app.blobs.get('reports', `${id}/pass-2/report.json`))!.toString('utf8')) as BatchReport;
    const folders = new Map(pass2.mailboxes[0]!.folders.map((f) => [f.sourcePath, f]));
    expect(folders.get('Bulk/001')?.repaired?.reason).toBe('DESTINATION_FOLDER_GONE');
    expect(folders.get('Bulk/002')?.repaired?.reason).toBe('DESTINATION_MESSAGES_MISSING');
    expect([folders.get('Bulk/001')?.copiedThisPass, folders.get('Bulk/002')?.copiedThisPass]).toEqual([20, 5]);
    expect(pass2.mailboxes[0]!.totals.copiedThisPass).toBe(25);
    const final = JSON.parse((await app.blobs.get('reports', `${id}/report.json`))!.toString('utf8')) as BatchReport;
    expect(final.mailboxes[0]!.verification?.result).toBe('PASS');
    expect(final.mailboxes[0]!.folders.filter((f) => f.repaired)).toEqual([]);
    // The batch's CSV as pass 2 left it (each pass rewrites it): the repaired folders, with why.
    expect(pass2Csv.split('\r\n').filter((l) => l.includes('DESTINATION_')).length).toBe(2);
  }, 180_000);
});
