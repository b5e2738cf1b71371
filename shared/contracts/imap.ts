/**
 * The IMAP vocabulary, once: what the engine's ports (imap-ports.ts) speak and every IMAP
 * adapter (imapflow sessions, raw connections, the APPEND pipeline) answers in.
 */

/** Which server a connection talks to; errors carry it so a report says which side failed. */
export type ImapSite = 'source' | 'destination';

/** A folder as listed by the server; the path is decoded from modified UTF-7. */
export interface ListedFolder {
  path: string;
  /** Hierarchy delimiter from LIST; '' when the server has no hierarchy (NIL). */
  delimiter: string;
  /** Raw LIST attributes, e.g. `\HasNoChildren`, `\Noselect`, `\Sent` (RFC 3501, 5258, 6154). */
  flags: string[];
  /** RFC 6154 special use as the server announced it, e.g. `\Sent`. */
  specialUse?: string;
  /** Its STATUS, when it was asked for with the listing and the server answered it there (RFC 5819 LIST-STATUS). */
  status?: FolderStatus;
}

export interface FolderStatus {
  messages: number;
  uidNext: number;
  uidValidity: string;
}

export interface SelectedFolder extends FolderStatus {
  permanentFlags: string[];
}

export interface MessageMeta {
  uid: number;
  size: number;
  flags: string[];
  internalDate: string;
}

export interface MessageWithSource extends MessageMeta {
  source: Buffer;
}

export interface AppendResult {
  uid?: number;
  uidValidity?: string;
}

export type ImapAuth = { user: string; accessToken: string } | { user: string; pass: string };

/** What every command of a connection waits on: the mailbox's throttle gate (engine/retry.ts ThrottleGate). */
export interface CommandGate {
  wait(): Promise<void>;
  pause(ms: number): void;
}
