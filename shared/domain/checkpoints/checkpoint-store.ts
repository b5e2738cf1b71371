import type { FolderCheckpoint } from './folder-checkpoint.js';

/** Mailbox pairs, not batches, own checkpoints: re-running a mailbox in a new CSV continues it. */
export function mailboxKey(sourceEmail: string, destinationEmail: string): string {
  return `${sourceEmail.toLowerCase()}->${destinationEmail.toLowerCase()}`;
}

/** The checkpoint ledger: a local file for `mailmig`, Table Storage for the Functions app. */
export interface CheckpointStore {
  get(mailbox: string, sourcePath: string): Promise<FolderCheckpoint | undefined>;
  put(mailbox: string, checkpoint: FolderCheckpoint): Promise<void>;
  list(mailbox: string): Promise<FolderCheckpoint[]>;
}
