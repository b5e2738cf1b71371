import type { Activities } from '../../../functions/activities/handlers.js';
import { blobHandler } from '../../../functions/lib/blob-handler.js';
import { ACTIVITIES } from '../../../shared/contracts/functions.js';
import type { BatchReport } from '../../../shared/contracts/report.js';
import type { ActivityFunction } from '../durable-harness/index.js';
import { appUnderTest, blobContext, type AppUnderTest } from './app-under-test.js';

/**
 * A staged batch through the app: the CSV lands as a blob and starts it; after each pass's report
 * is written, `afterPass` acts as the admin would between passes (change mailboxes, ask for a
 * delta or the cut-over). Waits for the batch to settle. The app is pushed to `apps` for the
 * caller to close.
 */
export async function stagedBatch(
  apps: AppUnderTest[],
  csv: string,
  blobName: string,
  afterPass: (pass: number, batchId: string, app: AppUnderTest) => Promise<void>,
): Promise<{ app: AppUnderTest; id: string; run: Awaited<ReturnType<AppUnderTest['client']['settled']>> }> {
  const ref: { app?: AppUnderTest } = {};
  const wrap = (a: Activities): Record<string, ActivityFunction> => ({
    ...a,
    [ACTIVITIES.writeBatchReport]: async (input: { batchId: string; pass?: number; final?: boolean; startedAt: string }) => {
      const r = await a.writeBatchReport(input);
      if (input.pass !== undefined) await afterPass(input.pass, input.batchId, ref.app!);
      return r;
    },
  });
  const app = appUnderTest({}, wrap);
  ref.app = app;
  apps.push(app);
  const body = Buffer.from(csv);
  await app.blobs.put('migrations', `incoming/${blobName}`, body, 'text/csv');
  const id = ((await blobHandler(app.deps)(body, blobContext(blobName))) as { batchId: string }).batchId;
  return { app, id, run: await app.client.settled(id) };
}

/** A staged batch whose mailboxes `between` changes after pass 1, then cut over; the final report. */
export async function cutOverAfter(apps: AppUnderTest[], csv: string, blobName: string, between: () => Promise<void>): Promise<BatchReport> {
  const { app, id, run } = await stagedBatch(apps, csv, blobName, async (pass, batchId, staged) => {
    if (pass !== 1) return;
    await between();
    staged.host.raiseEvent(batchId, 'cutover', {});
  });
  if (run.status !== 'Completed') throw new Error(`batch ${id} ended ${run.status}: ${run.error ?? ''}`);
  return JSON.parse((await app.blobs.get('reports', `${id}/report.json`))!.toString('utf8')) as BatchReport;
}
