export type VerificationIdentity = 'header-hash+size' | 'header-hash' | 'content-hash';

export interface MessageRef {
  uid: number;
  size: number;
  messageId?: string;
  subject?: string;
}

export interface FolderVerification {
  sourcePath: string;
  destinationPath: string;
  identity: VerificationIdentity;
  sourceCount: number;
  destinationCount: number;
  /** At the source, not at the destination, and not explained by a recorded skip or failure. */
  missing: MessageRef[];
  /** At the source, not at the destination, but recorded as skipped or failed (with reason). */
  accounted: (MessageRef & { reason: string })[];
  /** More copies at the destination than at the source. */
  duplicated: MessageRef[];
  /** Only at the destination (mail delivered there directly is normal after cut-over). */
  extra: MessageRef[];
  /** The exact number of each kind: the lists above stop at 200 entries. */
  counts: { missing: number; accounted: number; duplicated: number; extra: number };
  result: 'PASS' | 'FAIL';
}

/** A destination folder no source folder maps to any more (deleted or renamed at the source after a pass), with messages in it. */
export interface OrphanFolder {
  destinationPath: string;
  messages: number;
}

export interface MailboxVerification {
  sourceEmail: string;
  destinationEmail: string;
  result: 'PASS' | 'FAIL';
  folders: FolderVerification[];
  /** Shown, not failed: the source no longer has these folders, the destination still holds their messages. */
  orphanFolders?: OrphanFolder[];
  error?: { code: string; message: string };
}
