import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVITIES, ORCHESTRATORS } from '../../shared/contracts/functions.js';
import type { BatchInput } from '../../shared/contracts/orchestration.js';
import type { Activities } from '../../functions/activities/handlers.js';
import { getLab, type LabInfo } from '../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../lab/mailboxes.js';
import { seedMailbox } from '../lab/seed.js';
import { compareSnapshots, snapshotMailbox } from '../lab/snapshot.js';
import { bulkCorpus } from '../lab/corpus.js';
import { appUnderTest, descendants, type AppUnderTest } from '../support/durable-app/app-under-test.js';
import type { ActivityFunction } from '../support/durable-harness/index.js';

let lab: LabInfo;
const ok: string[] = [];
const apps: AppUnderTest[] = [];

async function startBatch(app: AppUnderTest, rows: string[], name: string, authPropagationWindowMs = 0): Promise<string> {
  const csv = Buffer.from(`Email\n${rows.join('\n')}\n`);
  await app.blobs.put('migrations', `incoming/${name}`, csv, 'text/csv');
  const id = `b-${name.replace(/[^a-f0-9]/g, '').padEnd(32, '0').slice(0, 32)}`;
  const input: BatchInput = {
    batchId: id, pass: 1, mode: 'final', deltaIntervalMinutes: 0, csv: { container: 'migrations', blobName: `incoming/${name}` }, totalRows: rows.length,
    limits: { mailboxWave: 4, folderWave: 2, pageSize: 100, authPropagationWindowMs }, cursor: 0, startedAt: '2024-01-01T00:00:00Z',
    summary: { done: 0, completed: 0, withIssues: 0, failed: 0, copied: 0, copiedBytes: 0 },
  };
  await app.client.startNew(ORCHESTRATORS.migrateBatch, { instanceId: id, input });
  return id;
}

async function expectIdentical(address: string): Promise<void> {
  const cmp = compareSnapshots(await snapshotMailbox(lab, 'source', address), await snapshotMailbox(lab, 'destination', address));
  expect(cmp.diffs).toEqual([]);
}

describe('Durable app under injected faults', () => {
  beforeAll(async () => {
    lab = getLab();
    for (let i = 0; i < 4; i++) ok.push(uniqueAddress(`fault${i}`));
    for (const a of ok) {
      await addMailbox(lab, 'source', a);
      await addMailbox(lab, 'destination', a);
    }
    for (const [i, a] of ok.entries()) await seedMailbox(lab, 'source', a, bulkCorpus(60, { folders: 2, seed: `fault-${i}` }));
  }, 120_000);
  afterAll(async () => {
    for (const a of apps) await a.close();
  });

  it('an activity failing twice (transient) then succeeding is retried and copies every message once', async () => {
    let failures = 0;
    const wrap = (a: Activities): Record<string, ActivityFunction> => ({
      ...a,
      [ACTIVITIES.copyMessageRange]: async (input: Parameters<Activities['copyMessageRange']>[0]) => {
        // The range is really copied, then the connection "drops" before the result reaches the host.
        const r = await a.copyMessageRange(input);
        if (failures < 2) {
          failures += 1;
          throw new Error('IMAP_CONNECTION_FAILED: destination IMAP: read ECONNRESET');
        }
        return r;
      },
    });
    const app = appUnderTest({}, wrap);
    apps.push(app);
    const id = await startBatch(app, [ok[0]!], 'retry0000000000a1.csv');
    const r = await app.client.settled(id);
    expect(r.status, r.error).toBe('Completed');
    expect(failures).toBe(2);
    await expectIdentical(ok[0]!);
    const folders = descendants(app.host, `${id}:p1:m2`).filter((i) => i.name === ORCHESTRATORS.migrateFolder);
    const calls = folders.flatMap((f) => f.stats.activityCalls.filter((c) => c.name === ACTIVITIES.copyMessageRange));
    expect(calls.filter((c) => c.outcome === 'failed').length).toBe(2);
    expect(Math.max(...calls.map((c) => c.attempt))).toBe(3);
  });

  it('a throttled range waits on a durable timer of the suggested length, then completes', async () => {
    let throttled = 0;
    const wrap = (a: Activities): Record<string, ActivityFunction> => ({
      ...a,
      [ACTIVITIES.copyMessageRange]: async (input: Parameters<Activities['copyMessageRange']>[0]) => {
        if (throttled === 0) {
          throttled += 1;
          return { status: 'throttled', code: 'IMAP_THROTTLED', retryAfterMs: 29_000 };
        }
        return a.copyMessageRange(input);
      },
    });
    const app = appUnderTest({}, wrap);
    apps.push(app);
    const id = await startBatch(app, [ok[1]!], 'throttle00000000b2.csv');
    const r = await app.client.settled(id);
    expect(r.status, r.error).toBe('Completed');
    const folders = descendants(app.host, `${id}:p1:m2`).filter((i) => i.name === ORCHESTRATORS.migrateFolder);
    const timers = folders.flatMap((f) => f.stats.timers.filter((t) => t.purpose === 'orchestrator'));
    expect(timers.map((t) => t.durationMs)).toEqual([29_000]);
    await expectIdentical(ok[1]!);
  });

  it('a login refused right after setup is retried on durable timers within AUTH_PROPAGATION_WINDOW_MINUTES, then the mailbox copies', async () => {
    const late = uniqueAddress('late');
    await addMailbox(lab, 'source', late);
    await seedMailbox(lab, 'source', late, bulkCorpus(6, { folders: 1, seed: 'late' }));
    let calls = 0;
    const wrap = (a: Activities): Record<string, ActivityFunction> => ({
      ...a,
      [ACTIVITIES.prepareMailboxFolders]: async (input: Parameters<Activities['prepareMailboxFolders']>[0]) => {
        calls += 1;
        if (calls === 3) {
          // The FullAccess grant "arrives" after two refusals (Dovecot re-reads its users file once a second).
          await addMailbox(lab, 'destination', late);
          await new Promise((r) => setTimeout(r, 1100));
        }
        return a.prepareMailboxFolders(input);
      },
    });
    const app = appUnderTest({ AUTH_PROPAGATION_WINDOW_MINUTES: '60' }, wrap);
    apps.push(app);
    const id = await startBatch(app, [late], 'late00000000000000d4.csv', 3_600_000);
    const r = await app.client.settled(id);
    expect(r.status, r.error).toBe('Completed');
    expect(calls).toBe(3);
    expect(r.customStatus).toMatchObject({ summary: { failed: 0 } });
    const timers = app.host.instance(`${id}:p1:m2`)!.stats.timers.filter((t) => t.purpose === 'orchestrator').map((t) => t.durationMs);
    expect(timers).toEqual([5_000, 10_000]);
    await expectIdentical(late);
  });

  it('a mailbox with a permanent error (no FullAccess at the destination) is reported while the others complete', async () => {
    const denied = uniqueAddress('denied');
    await addMailbox(lab, 'source', denied); // never added at the destination
    await seedMailbox(lab, 'source', denied, bulkCorpus(5, { folders: 1, seed: 'denied' }));
    const app = appUnderTest();
    apps.push(app);
    const id = await startBatch(app, [ok[2]!, denied, ok[3]!], 'perm000000000000c3.csv');
    const r = await app.client.settled(id);
    expect(r.status, r.error).toBe('Completed');
    expect(r.customStatus).toMatchObject({ summary: { done: 3, completed: 2, failed: 1 } });
    const report = JSON.parse((await app.blobs.get('reports', `${id}/report.json`))!.toString('utf8')) as { mailboxes: { sourceEmail: string; state: string; error?: { code: string } }[] };
    const bad = report.mailboxes.find((m) => m.sourceEmail === denied)!;
    expect(bad.state).toBe('failed');
    expect(bad.error?.code).toBe('IMAP_AUTH_FAILED');
    await expectIdentical(ok[2]!);
    await expectIdentical(ok[3]!);
  });
});
