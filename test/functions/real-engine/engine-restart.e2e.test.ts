import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVITIES, TRIGGERS } from '../../../shared/contracts/functions.js';
import { reportPaths } from '../../../shared/engine/batch-ids.js';
import { bulkCorpus } from '../../lab/corpus.js';
import { getLab, type LabInfo } from '../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../lab/mailboxes.js';
import { seedMailbox } from '../../lab/seed.js';
import { findLeaks } from '../../support/secrets-scan.js';
import { dropCsv, expectExactCopy, hubTexts, postBatch, readReport, realEngineSkipReason, startRealApp, waitForBatch, waitingAfterPass, type RealApp } from '../../support/real-engine.js';

const skip = realEngineSkipReason();
let lab: LabInfo;
let app: RealApp | undefined;
const boxes: string[] = [];

describe.skipIf(skip !== undefined)('The app on the real Durable Task engine: the engine host killed in the middle of a batch', () => {
  beforeAll(async () => {
    lab = getLab();
    for (let i = 0; i < 3; i++) boxes.push(uniqueAddress(`kill${i}`));
    for (const [i, a] of boxes.entries()) {
      await addMailbox(lab, 'source', a);
      await addMailbox(lab, 'destination', a);
      await seedMailbox(lab, 'source', a, bulkCorpus(120, { folders: 3, seed: `kill-${i}` }));
    }
    // A dead worker's dequeued messages come back after the queue visibility timeout (5 min by
    // default): 1 min here (the least the extension accepts), as a test of recovery, not of that default.
    app = await startRealApp(lab, { RANGE_MAX_MESSAGES: '10' }, { 'storageProvider:controlQueueVisibilityTimeout': '00:01:00', 'storageProvider:workItemQueueVisibilityTimeout': '00:01:00' });
  }, 180_000);
  afterAll(async () => app?.stop());

  it('SIGKILL of host and worker mid-batch, then a restart: the batch completes, nothing lost, nothing duplicated', async () => {
    const a = app!;
    // Slow copies: the kill lands while ranges are in flight and others are still to come.
    await a.engine.setFaults(boxes.map((b) => ({ activity: ACTIVITIES.copyMessageRange, action: 'delay' as const, count: 1_000, inputContains: b, delayMs: 1_500 })));
    const id = await dropCsv(a, 'kill.csv', Buffer.from(`Email\n${boxes.join('\n')}\n`));
    const deadline = Date.now() + 120_000;
    while (((await a.engine.activityCalls())[ACTIVITIES.copyMessageRange] ?? 0) < 4) {
      if (Date.now() > deadline) throw new Error(`no copies started\n${a.engine.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const before = await a.engine.client().getStatus(id);
    expect(before?.customStatus, 'the first pass is still running when the host dies').toMatchObject({ phase: 'running', pass: 1 });
    await a.engine.kill();
    const killedAt = Date.now();
    await a.engine.restart();
    await waitForBatch(a, id, waitingAfterPass(1), 300_000);
    console.log(`[real-engine] pass 1 finished ${Math.round((Date.now() - killedAt) / 1000)} s after the kill`);
    for (const box of boxes) await expectExactCopy(lab, box);
    expect((await postBatch(a, TRIGGERS.httpMigrationComplete, id, 'complete')).status).toBe(202);
    await waitForBatch(a, id, (s) => s.runtimeStatus === 'Completed');
    const report = await readReport(a, reportPaths.batchJson(id));
    expect(report.mailboxes.map((m) => m.verification?.result)).toEqual(['PASS', 'PASS', 'PASS']);
    for (const box of boxes) await expectExactCopy(lab, box);

    // What the dead host left behind in storage holds no secret either.
    expect(findLeaks(lab, hubTexts(await a.engine.inventory()))).toEqual([]);
  }, 600_000);
});
