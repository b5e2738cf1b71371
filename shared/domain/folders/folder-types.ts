import type { ListedFolder } from '../../contracts/imap.js';

// Shapes of the folder-mapping plan: what the source has, what the destination has, and
// where each source folder goes. Paths are Unicode, already decoded from modified UTF-7.

/** A folder as LIST gave it: the IMAP vocabulary's ListedFolder, under the plan's name. */
export type FolderInfo = ListedFolder;

/** `exchange`: Exchange Online naming rules (case-insensitive, reserved names); `generic`: any other IMAP server. */
export type DestinationKind = 'exchange' | 'generic';

export interface DestinationFolders {
  delimiter: string;
  folders: FolderInfo[];
  kind: DestinationKind;
  /**
   * Where the source's `\All` folder (Gmail's All Mail) sends the messages found in no other
   * source folder; default: the destination's Archive folder (its `\Archive` role folder).
   */
  archiveFolder?: string;
}

export interface FolderMapping {
  sourcePath: string;
  destinationPath: string;
  /** Set on the one source folder chosen for a special role (`\Sent`, `\Drafts`, `\Trash`, `\Junk`, `\Archive`). */
  specialUse?: string;
  /** The destination has no folder at destinationPath yet. */
  create: boolean;
  /** false: a container only (source `\Noselect`); create it, copy nothing. */
  selectable: boolean;
  /**
   * The source folder is the `\All` view: copy only the messages found in no other source
   * folder (Gmail's archived mail without a label), into the archive folder.
   */
  archivedOnly?: true;
}

export type SkipCode = 'VIRTUAL_FOLDER' | 'NAME_REJECTED' | 'NAME_COLLISION';

export interface SkippedFolder {
  sourcePath: string;
  reason: string;
  code: SkipCode;
}

export type RenameCode = 'DELIMITER_IN_NAME' | 'RESERVED_NAME' | 'NAME_COLLISION' | 'WHITESPACE_TRIMMED';

/** A folder whose own name had to change at the destination; the report lists these. */
export interface RenamedFolder {
  sourcePath: string;
  destinationPath: string;
  reason: string;
  code: RenameCode;
}

export interface FolderPlan {
  /** Parents before children; the order in which destination folders can be created. */
  mappings: FolderMapping[];
  skipped: SkippedFolder[];
  renamed: RenamedFolder[];
}
