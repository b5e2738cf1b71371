import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRIGGERS } from '../../../shared/contracts/functions.js';
import { reportPaths } from '../../../shared/engine/batch-ids.js';
import { makeMessage, standardCorpus } from '../../lab/corpus.js';
import { getLab, type LabInfo } from '../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../lab/mailboxes.js';
import { projectRoot } from '../../lab/paths.js';
import { seedMailbox } from '../../lab/seed.js';
import { dropCsv, expectExactCopy, postBatch, readReport, realEngineSkipReason, startRealApp, waitForBatch, waitingAfterPass, type RealApp } from '../../support/real-engine.js';

const skip = realEngineSkipReason();
let lab: LabInfo;
let app: RealApp | undefined;
const boxes: string[] = [];

const arrivals = (tag: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ raw: makeMessage({ subject: `${tag} ${i} — später`, from: 'x@contoso.example', to: 'y@contoso.example', date: new Date(Date.UTC(2025, 2, 1, 8, i)), seed: `${tag}-${i}` }), flags: i % 2 ? ['\\Seen'] : [], internalDate: new Date(Date.UTC(2025, 2, 1, 9, i)) }));

describe.skipIf(skip !== undefined)('The app on the real Durable Task engine: a staged batch from a CSV blob to the cut-over', () => {
  beforeAll(async () => {
    lab = getLab();
    for (let i = 0; i < 3; i++) boxes.push(uniqueAddress(`real${i}`));
    for (const a of boxes) {
      await addMailbox(lab, 'source', a);
      await addMailbox(lab, 'destination', a);
      // Nested and non-ASCII folders; the one large message made small enough to fit the destination.
      await seedMailbox(lab, 'source', a, standardCorpus({ largeMessageBytes: 200_000 }));
    }
    app = await startRealApp(lab);
  }, 180_000);
  afterAll(async () => app?.stop());

  it('blob CSV -> batch of 3 copies exactly; HTTP status; HTTP delta copies exactly the new mail; HTTP complete closes with verification PASS', async () => {
    const a = app!;
    const csv = Buffer.from(`Email\n${boxes.join('\n')}\n`);
    const id = await dropCsv(a, 'real engine ünï.csv', csv);

    const afterFirst = await waitForBatch(a, id, waitingAfterPass(1));
    expect(afterFirst.progress).toMatchObject({ pass: 1, mode: 'copy', total: 3, summary: { done: 3, failed: 0 } });
    for (const box of boxes) await expectExactCopy(lab, box);

    // New mail in an existing nested folder, in INBOX and in a new non-ASCII folder, then a delta.
    const fresh = [{ path: 'INBOX', messages: arrivals('neu', 4) }, { path: 'Projects/2024/Q1', messages: arrivals('q1', 2) }, { path: 'Neu/Ordner ü', messages: arrivals('ordner', 3) }];
    for (const box of boxes) await seedMailbox(lab, 'source', box, fresh);
    expect((await postBatch(a, TRIGGERS.httpMigrationDelta, id, 'delta')).status).toBe(202);
    await waitForBatch(a, id, waitingAfterPass(2));
    const pass2 = await readReport(a, `${id}/pass-2/report.json`);
    expect(pass2.mailboxes.map((m) => m.totals.copiedThisPass)).toEqual([9, 9, 9]);
    for (const box of boxes) await expectExactCopy(lab, box);

    expect((await postBatch(a, TRIGGERS.httpMigrationComplete, id, 'complete')).status).toBe(202);
    const closed = await waitForBatch(a, id, (s) => s.runtimeStatus === 'Completed');
    expect(closed.progress).toMatchObject({ phase: 'closed', pass: 3, mode: 'final', summary: { done: 3, failed: 0 } });
    const final = await readReport(a, reportPaths.batchJson(id));
    expect(final.mailboxes.map((m) => m.verification?.result)).toEqual(['PASS', 'PASS', 'PASS']);
    expect(final.mailboxes.map((m) => m.totals.copiedThisPass)).toEqual([0, 0, 0]);
    for (const box of boxes) await expectExactCopy(lab, box);

    // The engine ran with host.json's durableTask section: its hub name setting and partitionCount.
    const hub = await a.engine.inventory();
    const hostJson = JSON.parse(readFileSync(join(projectRoot(), 'host.json'), 'utf8')) as { extensions: { durableTask: { hubName: string; storageProvider: { partitionCount: number } } } };
    expect(hostJson.extensions.durableTask.hubName).toBe('%DURABLE_TASK_HUB%');
    expect(Object.keys(hub.Tables).sort()).toEqual([`${a.engine.hub}History`, `${a.engine.hub}Instances`].concat(Object.keys(hub.Tables).filter((t) => /Partitions$/.test(t))).sort());
    const control = Object.keys(hub.Queues).filter((q) => q.startsWith(`${a.engine.hub}-control-`));
    expect(control).toHaveLength(hostJson.extensions.durableTask.storageProvider.partitionCount);
  }, 600_000);
});
