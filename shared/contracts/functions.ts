import type { ActivityName } from './activities.js';

/** Registered function names: registered name = file name under functions/. */
export const ORCHESTRATORS = {
  migrateBatch: 'migrateBatch',
  migrateMailbox: 'migrateMailbox',
  migrateFolder: 'migrateFolder',
  migrateFolderLane: 'migrateFolderLane',
} as const;

export const ACTIVITIES = {
  readBatchPage: 'readBatchPage',
  prepareMailboxFolders: 'prepareMailboxFolders',
  beginFolderPass: 'beginFolderPass',
  planFolderRanges: 'planFolderRanges',
  copyMessageRange: 'copyMessageRange',
  finishFolderPass: 'finishFolderPass',
  syncFolderFlags: 'syncFolderFlags',
  writeMailboxReport: 'writeMailboxReport',
  writeBatchReport: 'writeBatchReport',
} as const satisfies { [K in ActivityName]: K };

export const TRIGGERS = {
  onMigrationCsvUploaded: 'onMigrationCsvUploaded',
  httpMigrationStart: 'httpMigrationStart',
  httpMigrationStatus: 'httpMigrationStatus',
  httpMigrationCancel: 'httpMigrationCancel',
  httpMigrationReport: 'httpMigrationReport',
  httpMigrationDelta: 'httpMigrationDelta',
  httpMigrationComplete: 'httpMigrationComplete',
  httpMigrationPreflight: 'httpMigrationPreflight',
  httpDashboard: 'httpDashboard',
  httpDashboardData: 'httpDashboardData',
  httpHealth: 'httpHealth',
  httpConsentStart: 'httpConsentStart',
  httpConsentCallback: 'httpConsentCallback',
} as const;

/** HTTP routes (below the host's /api prefix) of the live dashboard. */
export const DASHBOARD_ROUTES = { page: 'dashboard', data: 'dashboard/data' } as const;
