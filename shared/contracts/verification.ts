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
  result: 'PASS' | 'FAIL';
}

export interface MailboxVerification {
  sourceEmail: string;
  destinationEmail: string;
  result: 'PASS' | 'FAIL';
  folders: FolderVerification[];
  error?: { code: string; message: string };
}
