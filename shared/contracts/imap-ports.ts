import type { AppendResult, FolderStatus, ImapSite, ListedFolder, MessageMeta, MessageWithSource, SelectedFolder } from './imap.js';
import type { MailboxPair } from './mailbox-pair.js';

/**
 * The two IMAP ports the engine depends on, one per side, derived from what it calls. The
 * adapters under shared/adapters/imap implement them: an imapflow session serves all of a
 * port; a raw connection (faster, where the server allows one) serves its folder part only,
 * so the engine asks for the part it needs (ImapConnections.withFolders or .with).
 */

/** What the engine reads of a source mailbox. */
export interface SourceReader {
  /**
   * Every folder. `status`: where the server answers STATUS within LIST (RFC 5819 LIST-STATUS),
   * each selectable folder comes with its STATUS in the same round trip; given as paths (the
   * folders the caller expects), where it does not, those folders' STATUS go right behind the LIST
   * where the connection pipelines. A folder without one (not asked, or not answered) is asked
   * with status()/statusMany().
   */
  listFolders(opts?: { status?: boolean | readonly string[] }): Promise<ListedFolder[]>;
  status(path: string): Promise<FolderStatus>;
  /**
   * STATUS of several folders, pipelined where the connection allows it (one round trip instead
   * of one per folder). A folder missing from the answer could not be read: ask it alone with
   * status() to learn why.
   */
  statusMany(paths: readonly string[]): Promise<Map<string, FolderStatus>>;
  /**
   * SELECT/EXAMINE. Both implementations follow one caching rule: a read-only EXAMINE of the
   * folder the connection already has open read-only is answered from that selection, a
   * read-write SELECT is always sent.
   */
  select(path: string, readOnly: boolean): Promise<SelectedFolder>;
  /** Metadata only (no bodies) for a UID set or, with bySeq, a sequence set. */
  fetchMeta(range: string, bySeq?: boolean): Promise<MessageMeta[]>;
  /** Metadata plus the identifying headers (BODY.PEEK), by sequence set or, with byUid, a UID set. */
  fetchHeaders(range: string, headers: readonly string[], byUid?: boolean): Promise<(MessageMeta & { headers: Buffer })[]>;
  /** UID and flags only: the cheapest way to see flag changes on a server without CONDSTORE. */
  fetchFlags(range: string): Promise<{ uid: number; flags: string[] }[]>;
  /**
   * Gmail's labels of each message of a UID set (X-GM-LABELS, folder names and `\Inbox`,
   * `\Sent`, `\Important`, `\Starred` ...); undefined when the server does not offer X-GM-EXT-1.
   */
  gmailLabels?(uids: string): Promise<Map<number, string[]> | undefined>;
  /**
   * Bodies of a bounded UID set, as they arrive; nothing else may be sent on the connection
   * meanwhile. `onAnswered`: told once the server has answered the whole FETCH (every body is
   * read off the connection, some perhaps not yet taken): from then on the connection is free for
   * other work while the bodies still held are taken.
   */
  fetchSources(uids: string, onAnswered?: () => void): AsyncGenerator<MessageWithSource>;
  /**
   * EXAMINE and a metadata UID FETCH sent together (one round trip where the connection
   * pipelines): what a plan of a folder known to be small asks first. A failed EXAMINE fails both
   * (no folder is selected then, RFC 3501 §6.3.1); a failed FETCH gives undefined rows.
   */
  examineWithMeta?(path: string, uids: string): Promise<{ folder: SelectedFolder; rows?: MessageMeta[] }>;
}

/** What the engine does to a destination mailbox: the reads dedupe and verification need, and the writes. */
export interface DestinationWriter extends SourceReader {
  /**
   * CREATE (and SUBSCRIBE); a folder that already exists is not an error (ALREADYEXISTS).
   * `status`: the folder's STATUS asked in the same round trip where the connection pipelines
   * (undefined where it does not, or when it was not answered: ask it with status()).
   */
  createFolder(path: string, opts?: { status?: boolean }): Promise<FolderStatus | undefined>;
  append(path: string, source: Buffer, flags: string[], internalDate: string): Promise<AppendResult>;
  setFlags(uids: string, flags: string[]): Promise<void>;
  /**
   * Removes exactly these UIDs from the selected folder (\Deleted, then UID EXPUNGE, RFC 4315).
   * 'no-uidplus': the server cannot expunge by UID and nothing was sent (a plain EXPUNGE would
   * also remove messages a user marked \Deleted).
   */
  deleteMessages(uids: string): Promise<'deleted' | 'no-uidplus'>;
  /** DELETE of a folder (never selected afterwards); the caller has made sure it is empty and has no subfolders. */
  deleteFolder(path: string): Promise<void>;
}

/** The part of SourceReader a raw connection serves: listing, STATUS and copying folders. */
export type SourceFolders = Pick<SourceReader, 'listFolders' | 'status' | 'statusMany' | 'select' | 'fetchMeta' | 'fetchSources' | 'examineWithMeta'>;

/** The part of DestinationWriter a raw connection serves: listing and creating folders. */
export type DestinationFolders = SourceFolders & Pick<DestinationWriter, 'createFolder'>;

/**
 * APPENDs with many in flight on one connection (where the server allows it: LITERAL+ and
 * UIDPLUS), answered in order.
 */
export interface AppendPipeline {
  selectFolder(path: string): Promise<SelectedFolder>;
  append(path: string, source: Buffer, flags: readonly string[], internalDate: string): Promise<AppendResult>;
  /** Sends the command that holds `appended` now, rather than when it fills up. */
  flushFor(appended: Promise<unknown>): void;
  /** A folder's STATUS on this connection. Ask it once the APPENDs it should count are answered: a server may run it beside APPENDs still in progress. */
  status?(path: string): Promise<FolderStatus>;
  /** Messages per APPEND command (> 1 with MULTIAPPEND). */
  readonly batchMessages: number;
  readonly queuedBytes: number;
}

/** A connection lent out with the expiry of the credential it logged in with (Infinity for passwords). */
export interface Leased<T> {
  item: T;
  expiresOnMs: number;
}

/**
 * Authenticated connections per (side, mailbox), re-used across ranges and activity calls in
 * one process. Mailbox addresses are keys compared lower-cased.
 */
export interface ImapConnections {
  /** A full connection, lent to `fn` and given back (closed when `fn` threw). */
  with<T>(site: 'source', mailbox: string, fn: (s: SourceReader) => Promise<T>): Promise<T>;
  with<T>(site: 'destination', mailbox: string, fn: (s: DestinationWriter) => Promise<T>): Promise<T>;
  /** A connection for listing, creating and copying folders: raw where the server allows it. */
  withFolders<T>(site: 'source', mailbox: string, fn: (s: SourceFolders) => Promise<T>): Promise<T>;
  withFolders<T>(site: 'destination', mailbox: string, fn: (s: DestinationFolders) => Promise<T>): Promise<T>;
  acquireFolders(site: 'source', mailbox: string): Promise<{ session: SourceFolders; release: (broken?: boolean) => void }>;
  acquire(site: 'destination', mailbox: string): Promise<DestinationWriter>;
  /** Gives back what acquire lent; broken=true after an error so it is closed instead. */
  release(session: DestinationWriter, broken?: boolean): void;
  /** A pipelining APPEND connection, or undefined when the server cannot pipeline: append through acquire() then. */
  acquireAppender(mailbox: string): Promise<Leased<AppendPipeline> | undefined>;
  releaseAppender(mailbox: string, lease: Leased<AppendPipeline>, broken?: boolean): void;
  /** `appender`, lent, is to be given back soon (its holder awaits only its last answers): a range of the same mailbox may wait for it rather than open another. */
  appenderReturning?(mailbox: string, appender: AppendPipeline): void;
  /** Starts logging in connections a mailbox pair's folder workers are about to need (far servers: the login chain overlaps other work). */
  openAhead?(pair: MailboxPair, count: { source: number; destination: number; destinationFolders?: number }): void;
  /** The round trip to the side's server as connections so far measured it (ms); undefined when not known. */
  roundTripMs?(site: ImapSite): number | undefined;
  /** Closes the idle connections of a mailbox pair that is done. */
  closeMailbox(pair: MailboxPair): Promise<void>;
  closeAll(): Promise<void>;
}

/** A full connection its caller closes (preflight looks, then hangs up). */
export type OpenedReader = SourceReader & { close(): Promise<void> };

/** Logging in to either side with a mailbox's credential, outside the pool: what preflight asks of the adapters. */
export interface ImapLogins {
  open(site: ImapSite, mailbox: string): Promise<{ session: OpenedReader; expiresOnMs: number }>;
  /** The side's app-only token, from the same cache the logins use. */
  token(site: ImapSite): Promise<{ token: string; expiresOnMs: number }>;
  /** A mailbox's own token (google-service-account: the service account acting as it), from the logins' cache. */
  mailboxToken?(site: ImapSite, mailbox: string): Promise<{ token: string; expiresOnMs: number }>;
}
