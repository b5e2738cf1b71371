import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../shared/contracts/report.js';
import { blobHandler } from '../../functions/lib/blob-handler.js';
import { cancelHandler, reportHandler, startHandler, statusHandler } from '../../functions/lib/http-handlers.js';
import { reportPaths } from '../../shared/engine/batch-ids.js';
import { getLab, type LabInfo } from '../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../lab/mailboxes.js';
import { seedMailbox } from '../lab/seed.js';
import { compareSnapshots, snapshotMailbox } from '../lab/snapshot.js';
import { EXCHANGE_TO_STANDARD_FOLDERS, standardCorpus } from '../lab/corpus.js';
import { appUnderTest, blobContext, descendants, type AppUnderTest } from '../support/durable-app/app-under-test.js';
import { findLeaks } from '../support/secrets-scan.js';

let lab: LabInfo;
let app: AppUnderTest;
const mailboxes: string[] = [];

async function expectCopied(address: string): Promise<void> {
  const cmp = compareSnapshots(await snapshotMailbox(lab, 'source', address), await snapshotMailbox(lab, 'destination', address), { folderMap: EXCHANGE_TO_STANDARD_FOLDERS });
  expect(cmp.extra).toEqual([]);
  expect(cmp.missing.map((m) => m.folder)).toEqual(['INBOX']); // the one over the destination's limit
  expect(cmp.diffs.filter((d) => !d.includes('missing'))).toEqual([]);
}

const http = (method: string, url: string, body?: string, contentType = 'text/csv', params: Record<string, string> = {}): HttpRequest =>
  new HttpRequest({ method, url: `http://localhost${url}`, params, headers: { 'content-type': contentType }, ...(body !== undefined ? { body: { string: body } } : {}) });
const ctx = (): InvocationContext => new InvocationContext({ logHandler: () => undefined });

describe('Durable app: blob trigger -> migrateBatch -> migrateMailbox -> migrateFolder -> activities, against the lab', () => {
  beforeAll(async () => {
    lab = getLab();
    for (let i = 0; i < 3; i++) mailboxes.push(uniqueAddress(`durable${i}`));
    for (const a of mailboxes) {
      await addMailbox(lab, 'source', a);
      await addMailbox(lab, 'destination', a);
    }
    for (const a of mailboxes) await seedMailbox(lab, 'source', a, standardCorpus());
    app = appUnderTest({}, undefined, { autoCutover: true });
  }, 120_000);
  afterAll(async () => app?.close());

  it('blob trigger: a CSV in incoming/ runs a batch of 3 mailboxes to completion, verified message by message', async () => {
    const csv = Buffer.from(`Email\n${mailboxes.join('\n')}\n`);
    await app.blobs.put('migrations', 'incoming/durable batch ünï.csv', csv, 'text/csv');
    const handle = blobHandler(app.deps);
    const first = await handle(csv, blobContext('durable batch ünï.csv'));
    expect(first.kind).toBe('started');
    const id = (first as { batchId: string }).batchId;
    expect(id).toMatch(/^b-[0-9a-f]{32}$/);

    // The same event delivered again (Event Grid retries) starts nothing new.
    const again = await handle(csv, blobContext('durable batch ünï.csv'));
    expect(again.kind).toBe('duplicate');
    expect(app.client.started).toEqual([id]);

    const result = await app.client.settled(id);
    expect(result.status, result.error).toBe('Completed');
    for (const a of mailboxes) await expectCopied(a);

    const report = JSON.parse((await app.blobs.get('reports', reportPaths.batchJson(id)))!.toString('utf8')) as BatchReport;
    expect(report.totals.mailboxes).toBe(3);
    expect(report.mailboxes.every((m) => m.state === 'completed-with-issues')).toBe(true);
    expect(report.mailboxes.every((m) => m.folders.find((f) => f.sourcePath === 'INBOX')!.skipped[0]!.code === 'MESSAGE_TOO_LARGE')).toBe(true);
    expect(result.customStatus).toMatchObject({ phase: 'closed', pass: 2, mode: 'final', total: 3, summary: { done: 3, withIssues: 3 } });
    expect(report.mailboxes.every((m) => m.verification?.result === 'PASS')).toBe(true);

    // Nothing secret in inputs, outputs, custom status or the report.
    // Every orchestration below the batch: mailboxes, their folder lanes, the folders.
    const children = descendants(app.host, id);
    const texts: Record<string, string> = { output: JSON.stringify(result.output), status: JSON.stringify(result.customStatus), report: JSON.stringify(report) };
    children.forEach((c, i) => (texts[`child${i}`] = JSON.stringify([c?.output, c?.customStatus])));
    expect(findLeaks(lab, texts)).toEqual([]);

    // HTTP: status, report, cancel of a finished batch.
    const st = await statusHandler(app.deps)(http('GET', `/api/migrations/${id}?mailboxes=1`, undefined, 'text/plain', { id }), ctx());
    expect(st.status).toBe(200);
    expect((st.jsonBody as { mailboxes: unknown[] }).mailboxes.length).toBe(3);
    expect(JSON.stringify(st.jsonBody)).not.toMatch(/code=|sig=|AccountKey/);
    const rep = await reportHandler(app.deps)(http('GET', `/api/migrations/${id}/report`, undefined, 'text/plain', { id }));
    expect(rep.status).toBe(200);
    const cancel = await cancelHandler(app.deps)(http('POST', `/api/migrations/${id}/cancel`, '', 'text/plain', { id }), ctx());
    expect(cancel.status).toBe(409);
  });

  it('blob trigger: an invalid CSV starts nothing and leaves <name>.errors.json beside it', async () => {
    const csv = Buffer.from('Email\nnot-an-address\nfine@contoso.example\nfine@contoso.example\n');
    const out = await blobHandler(app.deps)(csv, blobContext('bad.csv'));
    expect(out.kind).toBe('invalid');
    const errors = JSON.parse((await app.blobs.get('migrations', 'incoming/bad.csv.errors.json'))!.toString('utf8')) as { problems: { line: number; field: string }[] };
    expect(errors.problems.map((p) => p.line)).toEqual([2, 4]);
    expect(app.client.started.length).toBe(1);
  });

  it('HTTP start: 400 with row errors for a bad CSV, 400 for bad JSON, 202 for a good JSON body, 200 for its duplicate', async () => {
    const start = startHandler(app.deps);
    const bad = await start(http('POST', '/api/migrations', 'SourceEmail,DestinationEmail\nx@contoso.example,not-valid\n'), ctx());
    expect(bad.status).toBe(400);
    expect((bad.jsonBody as { problems: { line: number; field: string }[] }).problems[0]).toMatchObject({ line: 2, field: 'DestinationEmail' });
    expect((await start(http('POST', '/api/migrations', '{"mailboxes": [1]}', 'application/json'), ctx())).status).toBe(400);
    expect((await start(http('POST', '/api/migrations', '', 'text/csv'), ctx())).status).toBe(400);
    const ghost = uniqueAddress('ghost'); // no FullAccess anywhere: the batch must still complete, reporting it
    const body = JSON.stringify({ mailboxes: [{ sourceEmail: ghost }] });
    const ok = await start(http('POST', '/api/migrations', body, 'application/json'), ctx());
    expect(ok.status).toBe(202);
    const id = (ok.jsonBody as { id: string }).id;
    const dup = await start(http('POST', '/api/migrations', body, 'application/json'), ctx());
    expect(dup.status).toBe(200);
    const r = await app.client.settled(id);
    expect(r.status).toBe('Completed');
    expect(r.customStatus).toMatchObject({ summary: { failed: 1 } });
    expect((await statusHandler(app.deps)(http('GET', '/api/migrations/x', undefined, 'text/plain', { id: '../etc' }), ctx())).status).toBe(400);
    expect((await statusHandler(app.deps)(http('GET', '/api/migrations/x', undefined, 'text/plain', { id: `b-${'0'.repeat(32)}` }), ctx())).status).toBe(404);
    expect((await reportHandler(app.deps)(http('GET', '/x', undefined, 'text/plain', { id: `b-${'1'.repeat(32)}` }))).status).toBe(404);
  });
});
