import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVITIES, TRIGGERS } from '../../../shared/contracts/functions.js';
import { reportPaths } from '../../../shared/engine/batch-ids.js';
import { bulkCorpus } from '../../lab/corpus.js';
import type { HubInventory } from '../../lab/durable-engine/worker-protocol.js';
import { getLab, type LabInfo } from '../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../lab/mailboxes.js';
import { seedMailbox } from '../../lab/seed.js';
import { findLeaks } from '../../support/secrets-scan.js';
import {
  deliverBlobEvent, hubTexts, dropCsv, expectExactCopy, postBatch, readReport, realEngineSkipReason, startRealApp, waitForBatch, waitingAfterPass, type RealApp,
} from '../../support/real-engine.js';

const skip = realEngineSkipReason();
let lab: LabInfo;
let app: RealApp | undefined;

async function mailbox(prefix: string, messages: number, grants: ('source' | 'destination')[] = ['source', 'destination']): Promise<string> {
  const box = uniqueAddress(prefix);
  for (const side of grants) await addMailbox(lab, side, box);
  await seedMailbox(lab, 'source', box, bulkCorpus(messages, { folders: 2, seed: box }));
  return box;
}

/** Pass 1, then the cut-over through the complete endpoint, to the closed batch. */
async function runToClose(a: RealApp, id: string): Promise<void> {
  await waitForBatch(a, id, waitingAfterPass(1));
  expect((await postBatch(a, TRIGGERS.httpMigrationComplete, id, 'complete')).status).toBe(202);
  await waitForBatch(a, id, (s) => s.runtimeStatus === 'Completed');
}

/** History rows of the batch's instances (the batch and every child: ids start with the batch id). */
function historyOf(hub: HubInventory, hubName: string, id: string): Record<string, string>[] {
  return (hub.Tables[`${hubName}History`] ?? []).filter((r) => r.PartitionKey?.startsWith(id));
}

describe.skipIf(skip !== undefined)('The app on the real Durable Task engine: duplicates, retries, throttling, permanent errors, cancel', () => {
  beforeAll(async () => {
    lab = getLab();
    app = await startRealApp(lab);
  }, 180_000);
  afterAll(async () => app?.stop());

  it('the same blob event delivered twice, and again after the batch closed, starts one batch', async () => {
    const a = app!;
    const box = await mailbox('dup', 12);
    const csv = Buffer.from(`Email\n${box}\n`);
    const id = await dropCsv(a, 'twice.csv', csv);
    await deliverBlobEvent(a, 'twice.csv', csv);
    await runToClose(a, id);
    const closed = await a.engine.client().getStatus(id);
    await deliverBlobEvent(a, 'twice.csv', csv);
    // A restart would show within a polling interval or two: Pending or Running, a new output.
    await new Promise((r) => setTimeout(r, 3_000));
    const after = await a.engine.client().getStatus(id);
    expect(after?.runtimeStatus).toBe('Completed');
    expect(after?.output).toEqual(closed?.output);
    const batches = (await a.engine.durableClient().getStatusAll()).filter((s) => s.name === 'migrateBatch' && s.instanceId.startsWith(id));
    expect(batches.map((s) => s.instanceId)).toEqual([id]);
    // One mailbox orchestration per pass (copy, then final): a second start would have added more.
    const mailboxes = (await a.engine.durableClient().getStatusAll()).filter((s) => s.name === 'migrateMailbox' && s.instanceId.startsWith(`${id}:`));
    expect(mailboxes.map((s) => s.instanceId).sort()).toEqual([`${id}:p1:m2`, `${id}:p2:m2`]);
    await expectExactCopy(lab, box);
  }, 300_000);

  it('a copy whose result is lost twice (transient) is retried by the engine and copies every message once', async () => {
    const a = app!;
    const box = await mailbox('retry', 40);
    await a.engine.setFaults([{ activity: ACTIVITIES.copyMessageRange, action: 'throw-after', count: 2, inputContains: box, message: 'IMAP_CONNECTION_FAILED: destination IMAP: read ECONNRESET' }]);
    const id = await dropCsv(a, 'retry.csv', Buffer.from(`Email\n${box}\n`));
    await runToClose(a, id);
    await expectExactCopy(lab, box);
    const failed = historyOf(await a.engine.inventory(), a.engine.hub, id).filter((r) => r.EventType === 'TaskFailed');
    expect(failed).toHaveLength(2);
    expect(failed.every((r) => (r.Reason ?? '').includes('IMAP_CONNECTION_FAILED'))).toBe(true);
  }, 300_000);

  it('a throttled copy waits on a real durable timer of the suggested length, then completes', async () => {
    const a = app!;
    const box = await mailbox('throttle', 10);
    await a.engine.setFaults([{ activity: ACTIVITIES.copyMessageRange, action: 'return', count: 1, inputContains: box, result: { status: 'throttled', code: 'IMAP_THROTTLED', retryAfterMs: 4_000 } }]);
    const id = await dropCsv(a, 'throttle.csv', Buffer.from(`Email\n${box}\n`));
    await runToClose(a, id);
    await expectExactCopy(lab, box);
    const rows = historyOf(await a.engine.inventory(), a.engine.hub, `${id}:p1:`);
    const timers = rows.filter((r) => r.EventType === 'TimerCreated');
    expect(timers).toHaveLength(1);
    const created = timers[0]!;
    const episode = rows.filter((r) => r.PartitionKey === created.PartitionKey && r.ExecutionId === created.ExecutionId).sort((x, y) => (x.RowKey ?? '').localeCompare(y.RowKey ?? ''));
    const at = (r: Record<string, string> | undefined): number => Date.parse(r?._Timestamp ?? r?.Timestamp ?? '');
    // An episode begins with OrchestratorStarted at the engine's time, which is the orchestrator's currentUtcDateTime.
    const startedBefore = (i: number): Record<string, string> | undefined => episode.slice(0, i).reverse().find((r) => r.EventType === 'OrchestratorStarted');
    const createdAt = episode.indexOf(created);
    const firedAt = episode.findIndex((r) => r.EventType === 'TimerFired');
    expect(firedAt, 'the timer fired on the engine').toBeGreaterThan(createdAt);
    const fireAt = Date.parse(created.FireAt ?? '');
    // Due exactly the suggested 4 s after the episode that created it; the episode it fired into
    // began no earlier (less ~1 s: Azurite's queue visibility is in whole seconds).
    expect(fireAt - at(startedBefore(createdAt))).toBe(4_000);
    expect(at(startedBefore(firedAt)) - fireAt).toBeGreaterThan(-1_500);
  }, 300_000);

  it('a mailbox with a permanent error (no FullAccess at the destination) is reported while the others copy exactly', async () => {
    const a = app!;
    const good = [await mailbox('okA', 15), await mailbox('okB', 15)];
    const denied = await mailbox('denied', 5, ['source']);
    const id = await dropCsv(a, 'permanent.csv', Buffer.from(`Email\n${good[0]}\n${denied}\n${good[1]}\n`));
    await runToClose(a, id);
    for (const box of good) await expectExactCopy(lab, box);
    const report = await readReport(a, reportPaths.batchJson(id));
    const byAddress = new Map(report.mailboxes.map((m) => [m.sourceEmail, m]));
    expect(byAddress.get(denied)?.state).toBe('failed');
    expect(byAddress.get(denied)?.error?.code).toMatch(/^IMAP_/);
    expect(good.map((g) => byAddress.get(g)?.verification?.result)).toEqual(['PASS', 'PASS']);
  }, 300_000);

  it('cancel terminates the running batch and every running child', async () => {
    const a = app!;
    const boxes = [await mailbox('cancelA', 30), await mailbox('cancelB', 30)];
    // Slow copies keep the batch busy long enough to cancel it in the middle.
    await a.engine.setFaults(boxes.map((b) => ({ activity: ACTIVITIES.copyMessageRange, action: 'delay' as const, count: 100, inputContains: b, delayMs: 3_000 })));
    const id = await dropCsv(a, 'cancel.csv', Buffer.from(`Email\n${boxes.join('\n')}\n`));
    const client = a.engine.durableClient();
    const deadline = Date.now() + 120_000;
    while ((await client.getStatusAll()).filter((s) => s.instanceId.startsWith(`${id}:`) && s.name === 'migrateFolder' && s.runtimeStatus === 'Running').length === 0) {
      if (Date.now() > deadline) throw new Error(`no folder started\n${a.engine.output()}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    const cancel = await postBatch(a, TRIGGERS.httpMigrationCancel, id, 'cancel');
    expect(cancel.status).toBe(202);
    await waitForBatch(a, id, (s) => s.runtimeStatus === 'Terminated', 60_000);
    await a.engine.setFaults([]);
    const until = Date.now() + 60_000;
    for (;;) {
      const mine = (await client.getStatusAll()).filter((s) => s.instanceId.startsWith(`${id}:`));
      const open = mine.filter((s) => s.runtimeStatus === 'Running' || s.runtimeStatus === 'Pending');
      if (open.length === 0) {
        expect(mine.some((s) => s.runtimeStatus === 'Terminated')).toBe(true);
        break;
      }
      if (Date.now() > until) throw new Error(`still open after cancel: ${open.map((s) => `${s.instanceId} ${s.runtimeStatus}`).join(', ')}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const again = await postBatch(a, TRIGGERS.httpMigrationCancel, id, 'cancel');
    expect(again.status).toBe(409);
  }, 300_000);

  it('a failure text too large for a table row lands in a large-message blob, which the hub scan reads', async () => {
    const a = app!;
    const box = await mailbox('large', 3);
    const marker = `planted-${Date.now()}`;
    // 80 KB of hostile mailbox text in an error: over the ~45 KB the engine keeps in a row or a queue message.
    await a.engine.setFaults([{ activity: ACTIVITIES.copyMessageRange, action: 'throw-before', count: 1, inputContains: box, message: `IMAP_CONNECTION_FAILED: ${marker} ${'Betreff: Ünïcödé '.repeat(5_000)}` }]);
    const id = await dropCsv(a, 'large.csv', Buffer.from(`Email\n${box}\n`));
    await runToClose(a, id);
    await expectExactCopy(lab, box);
    const hub = await a.engine.inventory();
    const holders = Object.entries(hub.Blobs).filter(([, content]) => content.includes(marker)).map(([name]) => name);
    expect(holders.length).toBeGreaterThan(0);
    expect(holders.every((name) => name.startsWith(`${a.engine.hub}-largemessages/`))).toBe(true);
  }, 300_000);

  it('after all of the above, no table, queue or blob of the task hub holds a lab secret, token or key', async () => {
    const hub = await app!.engine.inventory();
    const texts = hubTexts(hub);
    expect(Object.keys(texts).length).toBeGreaterThan(100);
    expect(Object.keys(texts).some((k) => k.includes('-largemessages/'))).toBe(true);
    expect(findLeaks(lab, texts)).toEqual([]);
    expect(Object.entries(texts).filter(([, t]) => /AccountKey=|sig=/.test(t)).map(([w]) => w)).toEqual([]);
  });
});
