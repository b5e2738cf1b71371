/**
 * Entry point of the Functions app: validates settings at start-up (one error listing every
 * bad key, no values), then registers every function. Registration order does not matter.
 */
import { app } from '@azure/functions';
import { loadSettings } from '../shared/config/settings.js';

loadSettings(process.env);
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
