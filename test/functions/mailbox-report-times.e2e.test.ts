import type { HttpRequest, InvocationContext } from '@azure/functions';
import { HttpRequest as Request, InvocationContext as Context } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../shared/contracts/report.js';
import { startHandler } from '../../functions/lib/http-handlers.js';
import { reportPaths } from '../../shared/engine/batch-ids.js';
import { bulkCorpus } from '../lab/corpus.js';
import { getLab, type LabInfo } from '../lab/lab-info.js';
import { seededPair } from '../support/lab-mailbox.js';
import { appUnderTest, type AppUnderTest } from '../support/durable-app/app-under-test.js';

/**
 * The Functions app's mailbox report says when the mailbox's work began and ended: startedAt comes
 * from the orchestration's clock, finishedAt from the activity that writes the report. Both must
 * be the time of this run, in order.
 */

let lab: LabInfo;
let app: AppUnderTest;

const post = (body: string): HttpRequest => new Request({ method: 'POST', url: 'http://localhost/api/migrations?cutover=immediate', headers: { 'content-type': 'application/json' }, body: { string: body } });
const ctx = (): InvocationContext => new Context({ logHandler: () => undefined });

describe('Durable app: mailbox report times', () => {
  beforeAll(() => {
    lab = getLab();
    app = appUnderTest();
  });
  afterAll(async () => app?.close());

  it("a mailbox report's startedAt is the time its work began in this run, not before the batch, and not after finishedAt", async () => {
    const address = await seededPair(lab, 'out-report-times', bulkCorpus(6, { folders: 1, seed: 'out-report-times' }));
    const before = new Date().toISOString();
    const started = await startHandler(app.deps)(post(JSON.stringify({ mailboxes: [{ email: address }] })), ctx());
    expect(started.status, JSON.stringify(started.jsonBody)).toBe(202);
    const id = (started.jsonBody as { id: string }).id;
    const result = await app.client.settled(id);
    expect(result.status, result.error).toBe('Completed');
    const after = new Date().toISOString();

    const report = JSON.parse((await app.blobs.get('reports', reportPaths.batchJson(id)))!.toString('utf8')) as BatchReport;
    const m = report.mailboxes[0]!;
    expect(m.state).toBe('completed');
    expect(m.startedAt >= before, `startedAt ${m.startedAt} is before the run began (${before})`).toBe(true);
    expect(m.startedAt <= m.finishedAt, `startedAt ${m.startedAt} after finishedAt ${m.finishedAt}`).toBe(true);
    expect(m.finishedAt <= after).toBe(true);
  }, 120_000);
});
