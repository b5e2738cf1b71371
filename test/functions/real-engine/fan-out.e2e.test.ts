import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRIGGERS } from '../../../shared/contracts/functions.js';
import { reportPaths } from '../../../shared/engine/batch-ids.js';
import { makeMessage } from '../../lab/corpus.js';
import { getLab, type LabInfo } from '../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../lab/mailboxes.js';
import { seedMailbox } from '../../lab/seed.js';
import { expectExactCopy, readReport, realEngineSkipReason, startRealApp, waitForBatch, type RealApp } from '../../support/real-engine.js';

const ROWS = 300;
// About 10 minutes on a shared 2-core machine: too long for every CI run, so opt-in (test/lab/README.md).
const optedIn = process.env.MAILMIG_REAL_ENGINE_SCALE === '1';
const skip = optedIn ? realEngineSkipReason() : 'MAILMIG_REAL_ENGINE_SCALE=1 not set';
let lab: LabInfo;
let app: RealApp | undefined;
const boxes: string[] = [];

describe.skipIf(skip !== undefined)(`The app on the real Durable Task engine: a CSV of ${ROWS} tiny mailboxes`, () => {
  beforeAll(async () => {
    lab = getLab();
    const limit = pLimit(8);
    for (let i = 0; i < ROWS; i++) boxes.push(uniqueAddress(`fan${i}`));
    await Promise.all(boxes.map((box, i) => limit(async () => {
      await addMailbox(lab, 'source', box);
      await addMailbox(lab, 'destination', box);
      await seedMailbox(lab, 'source', box, [{ path: 'INBOX', messages: [{ raw: makeMessage({ subject: `tiny ${i}`, from: 'a@contoso.example', to: box, date: new Date(Date.UTC(2025, 0, 1, 0, i % 60)), seed: box }), flags: ['\\Seen'], internalDate: new Date(Date.UTC(2025, 0, 2)) }] }]);
    })));
    app = await startRealApp(lab);
  }, 600_000);
  afterAll(async () => app?.stop());

  it('HTTP start with cutover=immediate fans out to every row and completes; history per instance stays bounded', async () => {
    const a = app!;
    const started = Date.now();
    const csv = `Email\n${boxes.join('\n')}\n`;
    const res = await a.engine.http(TRIGGERS.httpMigrationStart, { method: 'POST', url: 'http://localhost/api/migrations?cutover=immediate', query: { cutover: 'immediate' }, headers: { 'content-type': 'text/csv' }, body: csv });
    expect(res.status).toBe(202);
    const id = (res.jsonBody as { id: string }).id;
    const closed = await waitForBatch(a, id, (s) => s.runtimeStatus === 'Completed', 1_200_000);
    const seconds = Math.round((Date.now() - started) / 1000);
    expect(closed.progress).toMatchObject({ phase: 'closed', total: ROWS, summary: { done: ROWS, completed: ROWS, failed: 0, copied: ROWS } });
    const report = await readReport(a, reportPaths.batchJson(id));
    expect(report.mailboxes.filter((m) => m.verification?.result === 'PASS')).toHaveLength(ROWS);
    for (const box of [boxes[0]!, boxes[ROWS / 2]!, boxes[ROWS - 1]!]) await expectExactCopy(lab, box);

    // History rows per instance and execution, straight from the task hub's History table.
    const hub = await a.engine.inventory();
    const rows = (hub.Tables[`${a.engine.hub}History`] ?? []).filter((r) => r.PartitionKey?.startsWith(id));
    const perExecution = new Map<string, number>();
    for (const r of rows) perExecution.set(`${r.PartitionKey}|${r.ExecutionId}`, (perExecution.get(`${r.PartitionKey}|${r.ExecutionId}`) ?? 0) + 1);
    const kind = (instance: string): string => (instance === id ? 'migrateBatch' : /:m\d+$/.test(instance) ? 'migrateMailbox' : /:f\d+$/.test(instance) ? 'migrateFolder' : 'migrateFolderLane');
    const figures = new Map<string, { instances: Set<string>; executions: number; maxRows: number }>();
    for (const [key, n] of perExecution) {
      const instance = key.split('|')[0]!;
      const f = figures.get(kind(instance)) ?? { instances: new Set<string>(), executions: 0, maxRows: 0 };
      f.instances.add(instance);
      f.executions += 1;
      f.maxRows = Math.max(f.maxRows, n);
      figures.set(kind(instance), f);
    }
    for (const [k, f] of figures) console.log(`[measure] real engine, ${ROWS} rows: ${k}: ${f.instances.size} instances, ${f.executions} executions in History, at most ${f.maxRows} history rows per execution`);
    console.log(`[measure] real engine, ${ROWS} rows: ${seconds} s from HTTP start to Completed (shared machine)`);
    expect(figures.get('migrateMailbox')?.instances.size).toBe(ROWS);
    // Bounded: a page of rows per migrateBatch generation, not the whole CSV in one history.
    expect(figures.get('migrateBatch')!.maxRows).toBeLessThan(2_000);
  }, 1_500_000);
});
