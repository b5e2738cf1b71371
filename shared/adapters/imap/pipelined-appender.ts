import type { SideSettings } from '../../config/settings.js';
import type { ErrorSite } from '../../errors/classify.js';
import { MigrationError } from '../../errors/migration-error.js';
import type { AppendResult, FolderStatus, ImapAuth } from '../../contracts/imap.js';
import type { AppendPipeline } from '../../contracts/imap-ports.js';
import { imapDateTime } from './imap-date-time.js';
import { commandLine, nonSyncLiteral, quotedMailbox } from './protocol/command-compiler.js';
import { RawImapConnection, type OpenCommand } from './raw-connection.js';
import { parseSelected, selectLines, type SelectAnswer } from './select-response.js';
import { expandUidSet } from './uid-set.js';
import { askStatus } from './status-command.js';

/**
 * APPEND with many commands in flight on one connection. imapflow sends one command at a time
 * and waits for the server's "+" before every literal over 4 KB: two round trips per message,
 * which is most of a migration's time. With LITERAL+ (RFC 7888; Exchange Online and Dovecot
 * offer it) the literal follows its command at once, so APPENDs can be pipelined (RFC 3501
 * §5.5): the server answers them in order of their tags, each with its own OK/NO.
 *
 * Where the server also offers MULTIAPPEND (RFC 3502; Dovecot and Cyrus do, Exchange Online does
 * not), consecutive messages for one folder go out as one APPEND command: the server stores them
 * in one transaction, which costs it several times less than one command per message. Such a
 * command is all or nothing; when it is refused, its messages are sent again one by one, so a
 * refusal names the message it belongs to.
 *
 * Callers fall back to imapflow's APPEND when open() returns undefined (no LITERAL+, no UIDPLUS,
 * STARTTLS) or for messages that hold a NUL byte (those need literal8).
 */

interface GroupEntry {
  source: Buffer;
  flags: string[];
  internalDate: string;
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
  promise: Promise<AppendResult>;
}

/** A MULTIAPPEND command being written: its messages go out as they arrive. */
interface Group {
  path: string;
  command: OpenCommand;
  entries: GroupEntry[];
  bytes: number;
}

const ATOM_FLAG = /^\\?[^\s(){%*"\\\]\x00-\x1f\x7f]+$/;
/** A MULTIAPPEND command is ended once it holds this many bytes, whatever its message count. */
const GROUP_MAX_BYTES = 8 * 1024 * 1024;

/** "(flags) date {n+}\r\n": one message's part of an APPEND command, up to its literal. */
function literalHead(m: { source: Buffer; flags: readonly string[]; internalDate: string }): string {
  return `(${m.flags.join(' ')}) ${imapDateTime(m.internalDate)} ${nonSyncLiteral(m.source.length)}`;
}

/** The APPENDUID of a tagged OK, its uid-set expanded. */
function appendUids(okText: string): { uidValidity: string; uids: number[] } | undefined {
  const m = /\[APPENDUID (\d+) ([\d:,]+)\]/i.exec(okText);
  const uids = m ? expandUidSet(m[2]!) : undefined;
  return m && uids ? { uidValidity: m[1]!, uids } : undefined;
}

export class PipelinedAppender implements AppendPipeline {
  /** Messages per APPEND command: > 1 only when the server offers MULTIAPPEND. */
  private groupSize = 1;
  private group?: Group;
  /** The connection went back to folder work (detach): never used here again. */
  private detached = false;

  private constructor(
    private readonly conn: RawImapConnection,
    private readonly capabilities: ReadonlySet<string>,
  ) {}

  static async open(side: SideSettings, auth: ImapAuth | Promise<ImapAuth>, site: ErrorSite, opts: { timeoutMs?: number; responseTimeoutMs?: number; batchMessages?: number; onConnected?: (ms: number) => void } = {}): Promise<PipelinedAppender | undefined> {
    const opened = await RawImapConnection.open(side, auth, site, { ...opts, tagPrefix: 'P' });
    if (!opened) return undefined;
    if (!PipelinedAppender.canPipeline(opened.capabilities)) {
      await opened.connection.close();
      return undefined;
    }
    return PipelinedAppender.over(opened.connection, opened.capabilities, opts);
  }

  /** LITERAL+ (no continuation to wait for) and UIDPLUS (APPENDUID for the UID map). */
  static canPipeline(capabilities: ReadonlySet<string>): boolean {
    return capabilities.has('LITERAL+') && capabilities.has('UIDPLUS');
  }

  /** An appender on a connection already logged in (one that listed and created the folders); see canPipeline. */
  static over(connection: RawImapConnection, capabilities: ReadonlySet<string>, opts: { batchMessages?: number } = {}): PipelinedAppender {
    connection.retag('P');
    const a = new PipelinedAppender(connection, capabilities);
    if (capabilities.has('MULTIAPPEND')) a.groupSize = Math.max(1, opts.batchMessages ?? 1);
    return a;
  }

  get usable(): boolean {
    return this.conn.usable && !this.detached;
  }

  /** The capabilities the server announced after login. */
  get serverCapabilities(): ReadonlySet<string> {
    return this.capabilities;
  }

  /**
   * Hands the idle, logged-in connection back to folder work (a STATUS after the copy): this
   * appender is unusable from now on. Undefined while anything is unsent or unanswered.
   */
  detach(): RawImapConnection | undefined {
    if (this.group || this.conn.inFlight > 0 || !this.conn.usable) return undefined;
    this.detached = true;
    return this.conn;
  }

  /**
   * SELECTs the target folder on this connection (always sent: its UIDNEXT must be current, it
   * starts a retry window) and returns what the engine needs from it. Dovecot also appends
   * several times faster into the selected mailbox (no re-scan per message).
   */
  async selectFolder(path: string): Promise<SelectAnswer> {
    this.flush();
    const { untagged, lines } = selectLines();
    await this.conn.command([commandLine(`SELECT ${quotedMailbox(path)}`)], untagged);
    return parseSelected(lines, this.conn.site);
  }

  /**
   * The STATUS of a folder on this connection (a MULTIAPPEND being written is ended first). Ask it
   * once the APPENDs it should count are answered: a server may run it beside them (RFC 3501 §5.5).
   */
  status(path: string): Promise<FolderStatus> {
    this.flush();
    return askStatus(this.conn, path, this.conn.site);
  }

  /**
   * Sends one message; resolves with its APPENDUID when the server has stored it. With
   * MULTIAPPEND the message joins the command being written, which ends once it is full: call
   * flush() before waiting for it (flushFor does that only when needed).
   */
  append(path: string, source: Buffer, flags: readonly string[], internalDate: string): Promise<AppendResult> {
    const m = { source, flags: flags.filter((x) => ATOM_FLAG.test(x) && x.toLowerCase() !== '\\recent'), internalDate };
    if (this.groupSize <= 1) return this.appendOne(path, m);
    if (this.group && (this.group.path !== path || this.group.command.ended)) this.flush();
    if (this.conn.failure !== undefined) return Promise.reject(this.conn.failure);
    let resolve!: (r: AppendResult) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<AppendResult>((res, rej) => ((resolve = res), (reject = rej)));
    const entry: GroupEntry = { ...m, resolve, reject, promise };
    const part = [` ${literalHead(m)}`, source];
    if (this.group) this.group.command.write(part);
    else this.group = this.startGroup(path, part);
    const g = this.group;
    g.entries.push(entry);
    g.bytes += source.length;
    if (g.entries.length >= this.groupSize || g.bytes >= GROUP_MAX_BYTES) this.flush();
    return promise;
  }

  private startGroup(path: string, first: (string | Buffer)[]): Group {
    const g: Group = { path, command: this.conn.begin([`APPEND ${quotedMailbox(path)}`, ...first]), entries: [], bytes: 0 };
    g.command.answer.then(
      (text) => {
        const r = appendUids(text);
        const uids = r?.uids.length === g.entries.length ? r.uids : undefined;
        g.entries.forEach((e, i) => e.resolve(uids ? { uidValidity: r!.uidValidity, uid: uids[i]! } : {}));
      },
      (e: unknown) => {
        // A refused MULTIAPPEND stored nothing (RFC 3502): one command per message names the culprit.
        // A dropped connection rejects them all; the caller's retry window settles what arrived.
        if (this.conn.failure !== undefined) for (const x of g.entries) x.reject(this.conn.failure);
        else if (!(e instanceof MigrationError)) for (const x of g.entries) x.reject(e);
        else this.resendOneByOne(path, g.entries);
      },
    );
    return g;
  }

  private appendOne(path: string, m: { source: Buffer; flags: string[]; internalDate: string }): Promise<AppendResult> {
    return this.conn.command([`APPEND ${quotedMailbox(path)} ${literalHead(m)}`, m.source, '\r\n']).then((text) => {
      const r = appendUids(text);
      return r?.uids.length === 1 ? { uidValidity: r.uidValidity, uid: r.uids[0]! } : {};
    });
  }

  /** Ends the MULTIAPPEND command being written, if any: the server then stores its messages. */
  flush(): void {
    const g = this.group;
    this.group = undefined;
    g?.command.end();
  }

  /**
   * Sends a refused command's messages one per command. When every one of them is then stored,
   * the refusal was of the command, not of a message (a server that advertises MULTIAPPEND but
   * limits it): this connection stops grouping.
   */
  private resendOneByOne(path: string, group: GroupEntry[]): void {
    this.flush();
    const sent = group.map((g) => this.appendOne(path, g));
    sent.forEach((p, i) => p.then(group[i]!.resolve, group[i]!.reject));
    void Promise.allSettled(sent).then((r) => {
      if (r.every((x) => x.status === 'fulfilled')) this.groupSize = 1;
    });
  }

  /** Ends the command being written when `appended` (a promise from append) is in it. */
  flushFor(appended: Promise<unknown>): void {
    if (this.group?.entries.some((g) => g.promise === appended)) this.flush();
  }

  /** Messages one command carries (1 without MULTIAPPEND). */
  get batchMessages(): number {
    return this.groupSize;
  }

  /** Bytes queued in the socket and not yet sent: callers stop feeding above a budget. */
  get queuedBytes(): number {
    return this.conn.writableLength;
  }

  get inFlight(): number {
    return this.conn.inFlight;
  }

  async close(): Promise<void> {
    this.flush();
    await this.conn.close();
  }
}
