import type { HttpRequest, InvocationContext } from '@azure/functions';
import { HttpRequest as Request, InvocationContext as Context } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../shared/contracts/report.js';
import { startHandler } from '../../functions/lib/http-handlers.js';
import { reportPaths } from '../../shared/engine/batch-ids.js';
import { bulkCorpus } from '../lab/corpus.js';
import { FaultProxy, throttledAnswer } from '../lab/fault-proxy.js';
import { getLab, type LabInfo } from '../lab/lab-info.js';
import { compareCopy, seededPair } from '../support/lab-mailbox.js';
import { appUnderTest, type AppUnderTest } from '../support/durable-app/app-under-test.js';

/**
 * The Functions app's cut-over verifies in the activity that writes the mailbox report. A
 * throttling answer there is handed to the orchestrator, which waits on a durable timer and asks
 * again, as it does for the copy: the mailbox is verified PASS and closed, not failed.
 */

let lab: LabInfo;
let app: AppUnderTest;
let proxy: FaultProxy;

const post = (body: string): HttpRequest => new Request({ method: 'POST', url: 'http://localhost/api/migrations?cutover=immediate', headers: { 'content-type': 'application/json' }, body: { string: body } });
const ctx = (): InvocationContext => new Context({ logHandler: () => undefined });

describe('Durable app: a throttled verification at cut-over', () => {
  beforeAll(async () => {
    lab = getLab();
    proxy = await FaultProxy.forLab(lab, 'destination');
    app = appUnderTest({ DESTINATION_IMAP_PORT: String(proxy.port) });
  });
  afterAll(async () => {
    await app?.close();
    await proxy?.stop();
  });

  it('a throttling answer to the EXAMINE of the verification: waited out, verification PASS, the mailbox completed', async () => {
    const address = await seededPair(lab, 'out-cutover-throttle', bulkCorpus(20, { folders: 2, seed: 'out-cutover-throttle' }));
    // The copy opens destination folders read-write (SELECT); only the verification EXAMINEs them.
    proxy.addFault({ on: { name: 'EXAMINE', user: address }, action: throttledAnswer(1000) });
    const started = await startHandler(app.deps)(post(JSON.stringify({ mailboxes: [{ email: address }] })), ctx());
    expect(started.status, JSON.stringify(started.jsonBody)).toBe(202);
    const id = (started.jsonBody as { id: string }).id;
    const result = await app.client.settled(id);
    expect(result.status, result.error).toBe('Completed');
    expect(proxy.fired.map((f) => f.action)).toEqual(['answer']);

    const report = JSON.parse((await app.blobs.get('reports', reportPaths.batchJson(id)))!.toString('utf8')) as BatchReport;
    const m = report.mailboxes[0]!;
    expect(m.verification?.error).toBeUndefined();
    expect(m.verification?.result).toBe('PASS');
    expect(m.state).toBe('completed');
    expect((await compareCopy(lab, address)).diffs).toEqual([]);
  }, 120_000);
});
