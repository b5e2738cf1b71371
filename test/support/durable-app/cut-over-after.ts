import type { Activities } from '../../../functions/activities/handlers.js';
import { blobHandler } from '../../../functions/lib/blob-handler.js';
import { ACTIVITIES } from '../../../shared/contracts/functions.js';
import type { BatchReport } from '../../../shared/contracts/report.js';
import type { ActivityFunction } from '../durable-harness/index.js';
import { appUnderTest, blobContext, type AppUnderTest } from './app-under-test.js';

/**
 * A staged batch through the app: the CSV lands as a blob, pass 1 copies, then `between` changes
 * the mailboxes (as users would before cut-over) and the cut-over is raised; returns the final
 * report. The app is pushed to `apps` for the caller to close.
 */
export async function cutOverAfter(apps: AppUnderTest[], csv: string, blobName: string, between: () => Promise<void>): Promise<BatchReport> {
  const ref: { app?: AppUnderTest } = {};
  const wrap = (a: Activities): Record<string, ActivityFunction> => ({
    ...a,
    [ACTIVITIES.writeBatchReport]: async (input: { batchId: string; pass?: number; final?: boolean; startedAt: string }) => {
      const r = await a.writeBatchReport(input);
      if (input.pass === 1) {
        await between();
        ref.app!.host.raiseEvent(input.batchId, 'cutover', {});
      }
      return r;
    },
  });
  const app = appUnderTest({}, wrap);
  ref.app = app;
  apps.push(app);
  const body = Buffer.from(csv);
  await app.blobs.put('migrations', `incoming/${blobName}`, body, 'text/csv');
  const id = ((await blobHandler(app.deps)(body, blobContext(blobName))) as { batchId: string }).batchId;
  const run = await app.client.settled(id);
  if (run.status !== 'Completed') throw new Error(`batch ${id} ended ${run.status}: ${run.error ?? ''}`);
  return JSON.parse((await app.blobs.get('reports', `${id}/report.json`))!.toString('utf8')) as BatchReport;
}
