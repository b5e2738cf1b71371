import type { SettingSpec } from './schema.js';

/** The batch-wide controls (shared/domain/controls/read-controls.ts reads them); each has a CSV column overriding it per row. */
export const CONTROL_SETTING_SPECS: readonly SettingSpec[] = [
  { key: 'INCLUDE_FOLDERS', description: 'Optional. Folder patterns separated by ";": only matching source folders (and their subfolders) are copied. `*` one level, `**` any levels, `?` one character, "/" between levels whatever the source delimiter, case-insensitive; `\\Junk`-style names match by special use. CSV column IncludeFolders overrides it per row.', example: '', requiredInApp: false },
  { key: 'EXCLUDE_FOLDERS', description: 'Optional. Folder patterns separated by ";" (same syntax as INCLUDE_FOLDERS) left out with their subfolders, e.g. "Junk Email;Deleted Items;Sync Issues*". Wins over INCLUDE_FOLDERS. CSV column ExcludeFolders overrides it per row.', example: '', requiredInApp: false },
  { key: 'MESSAGES_SINCE', description: 'Optional. YYYY-MM-DD (UTC): only messages whose internal date is on or after this day are copied. A later pass with an earlier day copies exactly the rest. CSV column Since overrides the window per row.', example: '', requiredInApp: false },
  { key: 'DELETE_AT_CUTOVER', description: 'Optional, default false. true: the cut-over removes at the destination the copies of messages expunged at the source since they were copied (through the ledger\'s UID map, by UID EXPUNGE; never a message the migration did not copy). CSV column DeleteAtCutover overrides it per row.', defaultValue: 'false', example: 'false', requiredInApp: false },
  { key: 'MESSAGES_BEFORE', description: 'Optional. YYYY-MM-DD (UTC): only messages whose internal date is before this day are copied. CSV column Before overrides the window per row.', example: '', requiredInApp: false },
];
