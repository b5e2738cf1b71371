import type { FolderStatus } from '../../contracts/imap.js';
import type { FolderRepair } from '../../contracts/report.js';

/** The destination folder as a completed pass left it (FolderCheckpoint.destination). */
export interface DestinationRecord {
  uidValidity: string;
  /** Messages of this folder we know are there: appended or found by our passes (at most what the folder held then). */
  messages: number;
}

/** The destination folder as a new pass finds it: its STATUS, and whether the pass had to create it again. */
export interface DestinationSeen {
  status: FolderStatus;
  /** The folder was gone: this pass created it (prepareFolders or beginFolderPass). */
  created?: true;
}

/**
 * Why a folder's destination no longer holds what the ledger says we put there, if it does not:
 * deleted, recreated (a new UIDVALIDITY voids every UID we recorded, RFC 3501 §2.3.1.1), or fewer
 * messages than we copied (a user deleted some). A user's own additions are not damage.
 */
export function destinationRepair(expected: DestinationRecord | undefined, seen: DestinationSeen | undefined): FolderRepair | undefined {
  if (!expected || !seen) return undefined;
  if (seen.created) return { reason: 'DESTINATION_FOLDER_GONE', detail: `the destination folder was gone since the last pass; created again and refilled from the source` };
  if (seen.status.uidValidity !== expected.uidValidity) return { reason: 'DESTINATION_FOLDER_RECREATED', detail: `the destination folder was recreated since the last pass (UIDVALIDITY ${seen.status.uidValidity}, was ${expected.uidValidity}); compared with what it holds and refilled` };
  if (seen.status.messages < expected.messages) return { reason: 'DESTINATION_MESSAGES_MISSING', detail: `the destination folder holds ${seen.status.messages} messages, fewer than the ${expected.messages} copied there; compared with what it holds and refilled` };
  return undefined;
}

/**
 * What a pass records of the destination folder: its UIDVALIDITY, and the messages we know are
 * there (copied + found), at most what it holds now: a count we cannot see (a message the server
 * merged, a twin found twice) must not make every later pass repair the folder.
 */
export function destinationRecord(counts: { copied: number; alreadyPresent: number }, now: FolderStatus): DestinationRecord {
  return { uidValidity: now.uidValidity, messages: Math.min(counts.copied + counts.alreadyPresent, now.messages) };
}
