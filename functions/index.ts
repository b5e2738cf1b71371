/**
 * Entry point of the Functions app: validates settings at start-up, then registers every
 * function. Registration order does not matter.
 *
 * Invalid settings are logged (keys, never values) but do not stop the registrations: a module
 * that throws here makes the host index nothing, so the blob extension key never appears and the
 * deployment fails far from its cause. Instead GET /api/health reports the problems and each
 * function refuses to run (getRuntime validates again).
 */
import { app } from '@azure/functions';
import { settingsProblems } from './lib/health-handler.js';

const problems = settingsProblems(process.env);
if (problems.length > 0) console.error(`mailmig: invalid settings (${problems.length}); GET /api/health lists them:\n  - ${problems.join('\n  - ')}`);
app.setup({ enableHttpStream: false });

await import('./orchestrators/migrateBatch.js');
await import('./orchestrators/migrateMailbox.js');
await import('./orchestrators/migrateFolder.js');
await import('./orchestrators/migrateFolderLane.js');
await import('./activities/readBatchPage.js');
await import('./activities/prepareMailboxFolders.js');
await import('./activities/beginFolderPass.js');
await import('./activities/planFolderRanges.js');
await import('./activities/copyMessageRange.js');
await import('./activities/finishFolderPass.js');
await import('./activities/syncFolderFlags.js');
await import('./activities/writeMailboxReport.js');
await import('./activities/writeBatchReport.js');
await import('./triggers/onMigrationCsvUploaded.js');
await import('./triggers/httpMigrationStart.js');
await import('./triggers/httpMigrationStatus.js');
await import('./triggers/httpMigrationCancel.js');
await import('./triggers/httpMigrationReport.js');
await import('./triggers/httpMigrationDelta.js');
await import('./triggers/httpMigrationComplete.js');
await import('./triggers/httpMigrationPreflight.js');
await import('./triggers/httpDashboard.js');
await import('./triggers/httpDashboardData.js');
await import('./triggers/httpHealth.js');
await import('./triggers/httpConsentStart.js');
await import('./triggers/httpConsentCallback.js');
