export { planFolderMapping } from './plan-folder-mapping.js';
export type {
  DestinationFolders,
  DestinationKind,
  FolderInfo,
  FolderMapping,
  FolderPlan,
  RenameCode,
  RenamedFolder,
  SkipCode,
  SkippedFolder,
} from './folder-types.js';
export type { MailRole } from './special-use.js';
