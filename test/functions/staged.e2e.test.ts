import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVITIES } from '../../shared/contracts/functions.js';
import type { Activities } from '../../functions/activities/handlers.js';
import { blobHandler } from '../../functions/lib/blob-handler.js';
import { passHandler, reportHandler } from '../../functions/lib/http-handlers.js';
import type { BatchReport } from '../../shared/contracts/report.js';
import { getLab, type LabInfo } from '../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../lab/mailboxes.js';
import { seedMailbox } from '../lab/seed.js';
import { compareSnapshots, snapshotMailbox } from '../lab/snapshot.js';
import { bulkCorpus, makeMessage } from '../lab/corpus.js';
import { withImap } from '../lab/imap.js';
import type { ActivityFunction } from '../support/durable-harness/index.js';
import { appUnderTest, blobContext, type AppUnderTest } from '../support/durable-app/app-under-test.js';

let lab: LabInfo;
const apps: AppUnderTest[] = [];
const post = (id: string, what: string): HttpRequest => new HttpRequest({ method: 'POST', url: `http://localhost/api/migrations/${id}/${what}`, params: { id } });
const ctx = (): InvocationContext => new InvocationContext({ logHandler: () => undefined });
const fresh = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ({ raw: makeMessage({ subject: `${tag} ${i}`, from: 'x@contoso.example', to: 'y@contoso.example', date: new Date(Date.UTC(2025, 1, 1, 0, i)), seed: `${tag}${i}` }), flags: [], internalDate: new Date(Date.UTC(2025, 1, 1, 1, i)) }));

describe('Durable staged batch: first pass, delta on request or on schedule, cut-over, closed', () => {
  let mailbox: string;
  beforeAll(async () => {
    lab = getLab();
    mailbox = uniqueAddress('dstaged');
    await addMailbox(lab, 'source', mailbox);
    await addMailbox(lab, 'destination', mailbox);
    await seedMailbox(lab, 'source', mailbox, bulkCorpus(40, { folders: 2, seed: 'dstaged' }));
  }, 120_000);
  afterAll(async () => {
    for (const a of apps) await a.close();
  });

  it('HTTP delta after pass 1 copies exactly the new mail; HTTP complete runs the final pass, carries flags, verifies and closes; a later delta is refused', async () => {
    const passes: { pass: number; final: boolean }[] = [];
    const ref: { app?: AppUnderTest } = {};
    // What the delta pass plans and copies in Bulk/001 (20 messages after pass 1, 2 more arrive).
    const bulk001 = { plannedAfter: [] as number[], rangesFrom: [] as number[] };
    const pagesWithRows: string[] = [];
    // Between passes the "admin" acts: new mail arrives, then delta; after pass 2, a flag change, then cut-over.
    const wrap = (a: Activities): Record<string, ActivityFunction> => ({
      ...a,
      [ACTIVITIES.planFolderRanges]: async (input: Parameters<Activities['planFolderRanges']>[0]) => {
        if (passes.length === 1 && input.ref.sourcePath === 'Bulk/001') bulk001.plannedAfter.push(input.afterUid);
        const out = await a.planFolderRanges(input);
        // The rows a plan was made from stay in the process: never in an orchestration's history.
        if (JSON.stringify(out).includes('"rows"')) pagesWithRows.push(input.ref.sourcePath);
        return out;
      },
      [ACTIVITIES.copyMessageRange]: async (input: Parameters<Activities['copyMessageRange']>[0]) => {
        if (passes.length === 1 && input.ref.sourcePath === 'Bulk/001') bulk001.rangesFrom.push(input.range.fromUid);
        return a.copyMessageRange(input);
      },
      [ACTIVITIES.writeBatchReport]: async (input: { batchId: string; pass?: number; final?: boolean; startedAt: string }) => {
        const r = await a.writeBatchReport(input);
        passes.push({ pass: input.pass ?? 0, final: input.final === true });
        if (input.pass === 1) {
          await seedMailbox(lab, 'source', mailbox, [{ path: 'INBOX', messages: fresh(50, 'Arrived later') }, { path: 'Brand new', messages: fresh(3, 'New folder') }, { path: 'Bulk/001', messages: fresh(2, 'Also later') }]);
          expect((await passHandler(ref.app!.deps, 'delta')(post(input.batchId, 'delta'), ctx())).status).toBe(202);
        } else if (input.pass === 2) {
          await withImap(lab, 'source', mailbox, async (c) => {
            await c.mailboxOpen('Bulk/001');
            await c.messageFlagsAdd('1:3', ['\\Flagged'], { uid: true });
          });
          expect((await passHandler(ref.app!.deps, 'cutover')(post(input.batchId, 'complete'), ctx())).status).toBe(202);
        }
        return r;
      },
    });
    const app = appUnderTest({}, wrap);
    ref.app = app;
    apps.push(app);
    const csv = Buffer.from(`Email\n${mailbox}\n`);
    await app.blobs.put('migrations', 'incoming/staged.csv', csv, 'text/csv');
    const started = await blobHandler(app.deps)(csv, blobContext('staged.csv'));
    const id = (started as { batchId: string }).batchId;
    const run = await app.client.settled(id);
    expect(run.status, run.error).toBe('Completed');
    expect(passes).toEqual([{ pass: 1, final: false }, { pass: 2, final: false }, { pass: 3, final: true }]);

    const pass2 = JSON.parse((await app.blobs.get('reports', `${id}/pass-2/report.json`))!.toString('utf8')) as BatchReport;
    expect(pass2.mailboxes[0]!.totals.copiedThisPass).toBe(55);
    // The delta planned Bulk/001 from its checkpoint (UID 20), and called only the range with the new two.
    expect(bulk001.plannedAfter).toEqual([20]);
    expect(bulk001.rangesFrom).toEqual([21]);
    expect(pagesWithRows).toEqual([]);
    expect(pass2.mailboxes[0]!.folders.find((f) => f.sourcePath === 'Brand new')!.copiedThisPass).toBe(3);
    const final = JSON.parse((await app.blobs.get('reports', `${id}/report.json`))!.toString('utf8')) as BatchReport;
    const m = final.mailboxes[0]!;
    expect(m.verification?.result).toBe('PASS');
    expect(m.totals.copiedThisPass).toBe(0);
    expect(m.folders.find((f) => f.sourcePath === 'Bulk/001')!.flagsChanged).toBe(3);
    const cmp = compareSnapshots(await snapshotMailbox(lab, 'source', mailbox), await snapshotMailbox(lab, 'destination', mailbox));
    expect(cmp.diffs).toEqual([]);

    const refused = await passHandler(app.deps, 'delta')(post(id, 'delta'), ctx());
    expect(refused.status).toBe(409);
    expect(JSON.stringify(refused.jsonBody)).toContain('cut over and is closed');
    const html = await reportHandler(app.deps)(new HttpRequest({ method: 'GET', url: `http://localhost/api/migrations/${id}/report?format=html`, params: { id } }));
    expect(html.status).toBe(200);
    expect(String(html.body)).toContain('<table>');
    const csvReport = await reportHandler(app.deps)(new HttpRequest({ method: 'GET', url: `http://localhost/api/migrations/${id}/report?format=csv`, params: { id } }));
    expect(String(csvReport.body).split('\r\n')[0]).toContain('SourceEmail');

    // A new batch naming the closed pair does not copy into it.
    const again = appUnderTest({ CHECKPOINT_TABLE: app.settings.checkpointTable }, undefined, { autoCutover: true });
    apps.push(again);
    const csv2 = Buffer.from(`Email\n${mailbox}\n\n`);
    await again.blobs.put('migrations', 'incoming/again.csv', csv2, 'text/csv');
    const id2 = ((await blobHandler(again.deps)(csv2, blobContext('again.csv'))) as { batchId: string }).batchId;
    expect((await again.client.settled(id2)).status).toBe('Completed');
    const refusedReport = JSON.parse((await again.blobs.get('reports', `${id2}/report.json`))!.toString('utf8')) as BatchReport;
    expect(refusedReport.mailboxes[0]!.error?.code).toBe('MAILBOX_CLOSED');
    expect(compareSnapshots(await snapshotMailbox(lab, 'source', mailbox), await snapshotMailbox(lab, 'destination', mailbox)).diffs).toEqual([]);
  });

  it('DELTA_INTERVAL_MINUTES: after a pass the batch waits on a durable timer of that length, then runs a delta pass', async () => {
    const box = uniqueAddress('timer');
    await addMailbox(lab, 'source', box);
    await addMailbox(lab, 'destination', box);
    await seedMailbox(lab, 'source', box, bulkCorpus(10, { folders: 1, seed: 'timer' }));
    const finals: boolean[] = [];
    const wrap = (a: Activities): Record<string, ActivityFunction> => ({
      ...a,
      [ACTIVITIES.writeBatchReport]: async (input: { batchId: string; pass?: number; final?: boolean; startedAt: string }) => {
        const r = await a.writeBatchReport(input);
        finals.push(input.final === true);
        if (input.pass === 2) app.host.raiseEvent(input.batchId, 'cutover', {});
        return r;
      },
    });
    const app = appUnderTest({ DELTA_INTERVAL_MINUTES: '90' }, wrap);
    apps.push(app);
    const csv = Buffer.from(`Email\n${box}\n`);
    await app.blobs.put('migrations', 'incoming/timer.csv', csv, 'text/csv');
    const id = ((await blobHandler(app.deps)(csv, blobContext('timer.csv'))) as { batchId: string }).batchId;
    const run = await app.client.settled(id);
    expect(run.status, run.error).toBe('Completed');
    expect(finals).toEqual([false, false, true]);
    const timers = app.host.instance(id)!.stats.timers.filter((t) => t.purpose === 'orchestrator');
    expect(timers.map((t) => t.durationMs)).toContain(90 * 60_000);
  });
});
