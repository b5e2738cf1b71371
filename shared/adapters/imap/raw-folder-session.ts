import type { SideSettings } from '../../config/settings.js';
import type { ErrorSite } from '../../errors/classify.js';
import { MigrationError } from '../../errors/migration-error.js';
import { parseFetch, type FetchedRow } from './fetch-response.js';
import type { CommandGate, FolderStatus, ImapAuth, ListedFolder, MessageMeta, MessageWithSource, SelectedFolder } from '../../contracts/imap.js';
import { parseList, parseStatus } from './list-response.js';
import { commandLine, quotedMailbox } from './protocol/command-compiler.js';
import type { ImapResponse } from './protocol/imap-response.js';
import { RawImapConnection } from './raw-connection.js';
import { parseSelected, selectLines } from './select-response.js';
import type { FolderSession } from './folder-session.js';
import { isAlreadyExists } from './already-exists.js';
import { askStatus } from './status-command.js';

/** Body bytes a FETCH may hold before the socket waits for the consumer. */
const HOLD_BYTES = 8 * 1024 * 1024;
/**
 * STATUS commands in flight at once (statusMany): as many as the mailbox pass asks per round
 * (folder-pass.ts STATUS_ROUND), so a mailbox of up to 200 folders is looked at in one round
 * trip per side, whatever its folder count (~15 KB of commands).
 */
const STATUS_PIPELINE = 200;

/**
 * A connection spoken directly for preparing and copying folders (see FolderSession): LIST,
 * STATUS, CREATE on either side; EXAMINE, metadata FETCH and body FETCH on the source, the body
 * literals read straight into one buffer each (about a third of imapflow's client CPU per
 * message). On the destination, the same connection then carries the APPEND pipeline (detach).
 * Flag sync, verification and preflight stay on imapflow sessions.
 */
export class RawFolderSession implements FolderSession {
  private gate?: CommandGate;
  private selected?: { path: string; folder: SelectedFolder };
  /** A body FETCH was left before its end: the connection is mid-response, never re-used. */
  private abandoned = false;

  private constructor(
    private readonly conn: RawImapConnection,
    private readonly capabilities: ReadonlySet<string>,
  ) {}

  /** A folder session on a connection already logged in (an APPEND pipeline's, handed back). */
  static over(connection: RawImapConnection, capabilities: ReadonlySet<string>): RawFolderSession {
    connection.retag('S');
    return new RawFolderSession(connection, capabilities);
  }

  /** undefined when the server does not allow the raw connection (no implicit TLS or SASL-IR). */
  static async open(side: SideSettings, auth: ImapAuth | Promise<ImapAuth>, site: ErrorSite, opts: { responseTimeoutMs?: number; onConnected?: (ms: number) => void } = {}): Promise<RawFolderSession | undefined> {
    const opened = await RawImapConnection.open(side, auth, site, { ...opts, tagPrefix: 'S' });
    return opened ? new RawFolderSession(opened.connection, opened.capabilities) : undefined;
  }

  /**
   * Every folder, with its attributes; special-use ones asked for where the server lists them only
   * on request (RFC 6154). `status`: each folder's STATUS in the same command where the server
   * offers LIST-STATUS (RFC 5819), matched by name; given as paths, where it does not, those
   * folders' STATUS commands are sent right behind the LIST, in the same round trip (at most
   * STATUS_PIPELINE; a path the listing does not hold gets nothing).
   */
  listFolders(opts: { status?: boolean | readonly string[] } = {}): Promise<ListedFolder[]> {
    return this.run(async () => {
      const out: ListedFolder[] = [];
      const statuses = new Map<string, FolderStatus>();
      const extended = this.capabilities.has('LIST-EXTENDED') && this.capabilities.has('SPECIAL-USE');
      const asked = opts.status !== undefined && opts.status !== false;
      const withStatus = asked && this.capabilities.has('LIST-STATUS');
      const returns = [...(extended ? ['SPECIAL-USE'] : []), ...(withStatus ? ['STATUS (MESSAGES UIDNEXT UIDVALIDITY)'] : [])];
      const listed = this.conn.command([commandLine(`LIST "" "*"${returns.length > 0 ? ` RETURN (${returns.join(' ')})` : ''}`)], {
        LIST: (r) => {
          const f = parseList(r);
          if (f) out.push(f);
        },
        STATUS: (r) => {
          const s = parseStatus(r);
          if (!s) return;
          const { path, ...status } = s;
          statuses.set(path, status);
        },
      });
      const behind = !withStatus && typeof opts.status === 'object' && opts.status.length > 0 ? this.statusRound(opts.status.slice(0, STATUS_PIPELINE)).catch(() => new Map<string, FolderStatus>()) : undefined;
      await listed;
      for (const [path, status] of (await behind) ?? []) if (!statuses.has(path)) statuses.set(path, status);
      return statuses.size === 0 ? out : out.map((f) => (statuses.has(f.path) ? { ...f, status: statuses.get(f.path)! } : f));
    });
  }

  status(path: string): Promise<FolderStatus> {
    return this.run(() => askStatus(this.conn, path, this.site));
  }

  /**
   * STATUS commands sent together, STATUS_PIPELINE at a time, answers matched by folder name:
   * on Exchange (tens of milliseconds per round trip) a mailbox of 50 folders is looked at in
   * one round trip instead of 50. A refused or unanswered folder is left out (see FolderSession).
   */
  statusMany(paths: readonly string[]): Promise<Map<string, FolderStatus>> {
    return this.run(() => this.statusRound(paths));
  }

  /** statusMany's commands and answers, sent at once after whatever is already on the connection. */
  private async statusRound(paths: readonly string[]): Promise<Map<string, FolderStatus>> {
    const out = new Map<string, FolderStatus>();
    const asked = new Set(paths);
    const inbox = paths.find((p) => p.toUpperCase() === 'INBOX');
    // Answers are matched by folder name, not by command: whichever STATUS in flight receives one
    // records it for the folder it names.
    const onStatus = (r: ImapResponse): void => {
      const s = parseStatus(r);
      if (!s) return;
      // INBOX is case-insensitive (RFC 3501 §5.1): a server may answer "inbox" as "INBOX".
      const { path: named, ...status } = s;
      const path = asked.has(named) ? named : (inbox !== undefined && named.toUpperCase() === 'INBOX' ? inbox : undefined);
      if (path !== undefined) out.set(path, status);
    };
    for (let i = 0; i < paths.length; i += STATUS_PIPELINE) {
      const sent = paths.slice(i, i + STATUS_PIPELINE).map((p) => this.conn.command([commandLine(`STATUS ${quotedMailbox(p)} (MESSAGES UIDNEXT UIDVALIDITY)`)], { STATUS: onStatus }));
      // Every answer is awaited; a refusal only leaves its folder out, unless the connection itself is gone.
      const settled = await Promise.allSettled(sent);
      if (!this.conn.usable) {
        const failed = settled.find((x) => x.status === 'rejected');
        if (failed) throw failed.reason;
      }
    }
    return out;
  }

  /**
   * CREATE and SUBSCRIBE sent together, one round trip (the server runs them in order; a folder
   * that already exists is not an error; a refused SUBSCRIBE, also one of a folder CREATE refused,
   * is ignored). `status`: its STATUS sent with them, answered after them (undefined if refused).
   */
  createFolder(path: string, opts: { status?: boolean } = {}): Promise<FolderStatus | undefined> {
    return this.run(async () => {
      const created = this.conn.command([commandLine(`CREATE ${quotedMailbox(path)}`)]);
      const subscribed = this.conn.command([commandLine(`SUBSCRIBE ${quotedMailbox(path)}`)]).catch(() => undefined);
      const status = opts.status ? askStatus(this.conn, path, this.site).catch(() => undefined) : undefined;
      try {
        await created;
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      } finally {
        await subscribed;
      }
      return status;
    });
  }

  /** The capabilities the server announced after login. */
  get serverCapabilities(): ReadonlySet<string> {
    return this.capabilities;
  }

  /**
   * Hands the logged-in connection to a new owner (the APPEND pipeline of the same mailbox):
   * this session is unusable from now on.
   */
  detach(): RawImapConnection {
    this.abandoned = true;
    this.selected = undefined;
    return this.conn;
  }

  get site(): ErrorSite {
    return this.conn.site;
  }

  get usable(): boolean {
    return this.conn.usable && !this.abandoned;
  }

  get inFlight(): number {
    return this.conn.inFlight;
  }

  useGate(gate: CommandGate | undefined): void {
    this.gate = gate;
  }

  /** Runs one command after the gate; a throttling answer pauses the gate for the whole mailbox. */
  private async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.gate?.wait();
    try {
      return await fn();
    } catch (e) {
      this.pauseIfThrottled(e);
      throw e;
    }
  }

  private pauseIfThrottled(e: unknown): void {
    if (e instanceof MigrationError && e.errorClass === 'throttled' && e.retryAfterMs) this.gate?.pause(e.retryAfterMs);
  }

  /** A read-only EXAMINE of the folder already open is re-used (see ImapSession.select). */
  select(path: string, readOnly: boolean): Promise<SelectedFolder> {
    if (readOnly && this.selected?.path === path) return Promise.resolve(this.selected.folder);
    return this.run(async () => {
      this.selected = undefined;
      const { untagged, lines } = selectLines();
      await this.conn.command([commandLine(`${readOnly ? 'EXAMINE' : 'SELECT'} ${quotedMailbox(path)}`)], untagged);
      if (!lines.some((l) => /^OK \[UIDNEXT /i.test(l))) lines.push(`OK [UIDNEXT ${await this.uidNextByFetch(lines)}] from the highest UID`);
      const s = parseSelected(lines, this.site);
      const folder: SelectedFolder = { messages: s.messages, uidNext: s.uidNext, uidValidity: s.uidValidity, permanentFlags: s.permanentFlags };
      if (readOnly) this.selected = { path, folder };
      return folder;
    });
  }

  /** See SourceReader.examineWithMeta: the FETCH rides on the EXAMINE's round trip. */
  examineWithMeta(path: string, uids: string): Promise<{ folder: SelectedFolder; rows?: MessageMeta[] }> {
    return this.run(async () => {
      this.selected = undefined;
      const { untagged, lines } = selectLines();
      const examined = this.conn.command([commandLine(`EXAMINE ${quotedMailbox(path)}`)], untagged);
      const rows: MessageMeta[] = [];
      const fetched = this.fetch(`UID FETCH ${uids} (UID FLAGS INTERNALDATE RFC822.SIZE)`, (row) => {
        const meta = toMeta(row);
        if (meta && row.size !== undefined) rows.push(meta);
      }).then(
        () => true,
        () => false,
      );
      await examined.catch(async (e: unknown) => {
        await fetched;
        throw e;
      });
      const ok = await fetched;
      if (!lines.some((l) => /^OK \[UIDNEXT /i.test(l))) lines.push(`OK [UIDNEXT ${await this.uidNextByFetch(lines)}] from the highest UID`);
      const s = parseSelected(lines, this.site);
      const folder: SelectedFolder = { messages: s.messages, uidNext: s.uidNext, uidValidity: s.uidValidity, permanentFlags: s.permanentFlags };
      this.selected = { path, folder };
      return ok ? { folder, rows } : { folder };
    });
  }

  /** A server that leaves UIDNEXT out of its SELECT answer (RFC 3501 allows it): the highest UID + 1. */
  private async uidNextByFetch(selectLines: readonly string[]): Promise<number> {
    const exists = Number(selectLines.map((l) => /^(\d+) EXISTS/i.exec(l)?.[1]).find((v) => v !== undefined) ?? 0);
    if (exists === 0) return 1;
    let highest = 0;
    await this.fetch('UID FETCH * (UID)', (row) => (highest = Math.max(highest, row.uid ?? 0)));
    return highest + 1;
  }

  fetchMeta(range: string, bySeq = false): Promise<MessageMeta[]> {
    return this.run(async () => {
      const rows: MessageMeta[] = [];
      await this.fetch(`${bySeq ? '' : 'UID '}FETCH ${range} (UID FLAGS INTERNALDATE RFC822.SIZE)`, (row) => {
        const meta = toMeta(row);
        // Without RFC822.SIZE it is a flag change nobody asked for, not an answer.
        if (meta && row.size !== undefined) rows.push(meta);
      });
      return rows;
    });
  }

  async *fetchSources(uids: string, onAnswered?: () => void): AsyncGenerator<MessageWithSource> {
    await this.gate?.wait();
    const queue: MessageWithSource[] = [];
    // Bodies read and not yet taken: above HOLD_BYTES the socket stops reading until the
    // consumer (the APPEND pipeline) has taken them, so memory is bounded by it, not by the batch.
    let held = 0;
    let paused = false;
    let wake: (() => void) | undefined;
    let done = false;
    let failure: unknown;
    const finished = this.fetch(`UID FETCH ${uids} (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])`, (row) => {
      const meta = toMeta(row);
      if (!meta || row.body === undefined || row.section !== '') return; // a flag change nobody asked for
      // BODY[] NIL: expunged by another session since this one last looked (Dovecot answers so).
      // Nothing to copy (never an empty APPEND): the caller counts the UID as vanished.
      if (row.body.length === 0) return;
      queue.push({ ...meta, size: row.size ?? row.body.length, source: row.body });
      held += row.body.length;
      if (held > HOLD_BYTES && !paused) {
        paused = true;
        this.conn.pause();
      }
      wake?.();
    }).then(
      () => {
        done = true;
        // Nothing more comes on this connection for this FETCH: it is not paused on its account
        // and never touched by it again (it may serve other work while the bodies held are taken).
        if (paused) {
          paused = false;
          this.conn.resume();
        }
        onAnswered?.();
        wake?.();
      },
      (e: unknown) => {
        failure = e;
        done = true;
        wake?.();
      },
    );
    try {
      for (;;) {
        const next = queue.shift();
        if (next) {
          held -= next.source.length;
          if (paused && held <= HOLD_BYTES / 2) {
            paused = false;
            this.conn.resume();
          }
          yield next;
          continue;
        }
        if (done) break;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
      await finished;
      if (failure !== undefined) {
        this.pauseIfThrottled(failure);
        throw failure;
      }
    } finally {
      if (paused) this.conn.resume();
      if (!done) this.abandoned = true;
    }
  }

  /** Sends one FETCH; its untagged FETCH rows go to `onRow` as they arrive. */
  private async fetch(command: string, onRow: (row: FetchedRow) => void): Promise<void> {
    await this.conn.command([commandLine(command)], {
      FETCH: (r) => {
        const row = parseFetch(r);
        if (row) onRow(row);
      },
    });
  }

  async close(): Promise<void> {
    await this.conn.close();
  }
}

function toMeta(row: FetchedRow): MessageMeta | undefined {
  if (row.uid === undefined) return undefined;
  return { uid: row.uid, size: row.size ?? 0, flags: row.flags ?? [], internalDate: row.internalDate ?? new Date(0).toISOString() };
}
