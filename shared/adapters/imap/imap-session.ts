import { ImapFlow, type FetchMessageObject, type ImapFlowOptions } from 'imapflow';
import type { SideSettings } from '../../config/settings.js';
import { classify, type ErrorSite } from '../../errors/classify.js';
import { MigrationError } from '../../errors/migration-error.js';
import { redact } from '../../errors/redact.js';
import type { AppendResult, CommandGate, FolderStatus, ImapAuth, ListedFolder, MessageMeta, MessageWithSource, SelectedFolder } from '../../contracts/imap.js';
import type { DestinationWriter } from '../../contracts/imap-ports.js';
import { isAlreadyExists } from './already-exists.js';
import { commandObserver, type ImapCommandObserver } from './command-observer.js';
import type { FolderSession } from './folder-session.js';

function commandLogger(site: ErrorSite, observer: ImapCommandObserver): NonNullable<ImapFlowOptions['logger']> {
  const noop = (): void => undefined;
  return {
    debug: (o: unknown) => {
      const e = o as { src?: string; msg?: string };
      if (e.src === 'c' && typeof e.msg === 'string' && !e.msg.startsWith('(*')) observer(site, redact(e.msg.replace(/^\S+\s+/, '')));
    },
    info: noop,
    warn: noop,
    error: noop,
  };
}

/**
 * imapflow waits out a throttled FETCH by itself and sends it again, so the engine never sees
 * that error: its log line is the only sign. The gate must hear of it to pause the mailbox's
 * other connections too.
 */
function throttleAwareLogger(base: ImapFlowOptions['logger'], onThrottle: (ms: number) => void): NonNullable<ImapFlowOptions['logger']> {
  const noop = (): void => undefined;
  const b = base || { debug: noop, info: noop, warn: noop, error: noop };
  return {
    debug: (o: unknown) => b.debug(o as never),
    info: (o: unknown) => b.info(o as never),
    warn: (o: unknown) => {
      const e = o as { msg?: string; throttleDelay?: unknown };
      if (e.msg === 'Throttling detected' && typeof e.throttleDelay === 'number') onThrottle(e.throttleDelay);
      b.warn(o as never);
    },
    error: (o: unknown) => b.error(o as never),
  };
}

/**
 * One IMAP connection with the operations the engine needs, over imapflow. Every failure is
 * classified where it happens (transient / throttled / permanent) before it leaves this file,
 * and imapflow's own logger is off: it would print AUTHENTICATE lines.
 */
export class ImapSession implements DestinationWriter, FolderSession {
  private constructor(
    private readonly client: ImapFlow,
    readonly site: ErrorSite,
    readonly capabilities: ReadonlySet<string>,
  ) {}

  static async open(side: SideSettings, auth: ImapAuth, site: ErrorSite, opts: { timeoutMs?: number; responseTimeoutMs?: number } = {}): Promise<ImapSession> {
    const observer = commandObserver();
    const options: ImapFlowOptions = {
      host: side.host,
      port: side.port,
      secure: side.tls === 'implicit',
      // Plaintext is refused: without implicit TLS, STARTTLS is mandatory.
      doSTARTTLS: side.tls === 'starttls' ? true : undefined,
      servername: /^[\d.]+$|:/.test(side.host) ? undefined : side.host,
      auth: 'accessToken' in auth ? { user: auth.user, accessToken: auth.accessToken } : { user: auth.user, pass: auth.pass },
      logger: throttleAwareLogger(observer ? commandLogger(site, observer) : false, (ms) => holder.session?.gate?.pause(ms)),
      disableAutoIdle: true,
      // CONDSTORE/QRESYNC are not used (Exchange has neither): skip the ENABLE round trip.
      disableAutoEnable: true,
      connectionTimeout: opts.timeoutMs ?? 30_000,
      greetingTimeout: opts.timeoutMs ?? 30_000,
      socketTimeout: opts.responseTimeoutMs ?? 5 * 60_000,
      clientInfo: { name: 'mailmig' },
    };
    const holder: { session?: ImapSession } = {};
    const client = new ImapFlow(options);
    // imapflow emits 'error' on socket failures; without a listener Node would crash the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (e) {
      client.close();
      throw classify(e, site);
    }
    const caps = new Set<string>([...client.capabilities.keys()].map((k) => k.toUpperCase()));
    holder.session = new ImapSession(client, site, caps);
    return holder.session;
  }

  private gate?: CommandGate;

  /** Every later command waits while the gate is paused, and a throttling answer pauses it. */
  useGate(gate: CommandGate | undefined): void {
    this.gate = gate;
  }

  get usable(): boolean {
    return this.client.usable;
  }

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.gate?.wait();
    try {
      return await fn();
    } catch (e) {
      const err = classify(e, this.site);
      if (err.errorClass === 'throttled' && err.retryAfterMs) this.gate?.pause(err.retryAfterMs);
      throw err;
    }
  }

  /** Without STATUS: imapflow would ask it one folder at a time where the server has no LIST-STATUS (the caller pipelines them instead). */
  listFolders(): Promise<ListedFolder[]> {
    return this.run(async () => {
      const rows = await this.client.list();
      return rows.map((r) => ({
        path: r.path,
        delimiter: r.delimiter ?? '/',
        flags: [...r.flags],
        ...(r.specialUse && r.specialUseSource !== 'name' ? { specialUse: r.specialUse } : {}),
      }));
    });
  }

  status(path: string): Promise<FolderStatus> {
    return this.run(async () => {
      const s = await this.client.status(path, { messages: true, uidNext: true, uidValidity: true });
      if (!s) throw new MigrationError('FOLDER_NOT_FOUND', 'permanent', `${this.site} IMAP: folder "${path}" not found`);
      return { messages: s.messages ?? 0, uidNext: s.uidNext ?? 0, uidValidity: String(s.uidValidity ?? '') };
    });
  }

  /**
   * One STATUS after another (imapflow sends one command at a time). As on a raw connection, a
   * folder that fails is left out, unless the connection itself is gone.
   */
  async statusMany(paths: readonly string[]): Promise<Map<string, FolderStatus>> {
    const out = new Map<string, FolderStatus>();
    for (const p of paths) {
      const s = await this.status(p).catch((e: unknown) => {
        if (!this.usable) throw e;
        return undefined;
      });
      if (s) out.set(p, s);
    }
    return out;
  }

  /**
   * SELECT/EXAMINE. A read-only EXAMINE of the folder this session already has open is reused
   * (ranges of a source folder share the session): UIDVALIDITY cannot change under an open
   * selection (RFC 3501 §2.3.1.1), and new mail is found by the next pass. A read-write SELECT
   * is always sent again: its UIDNEXT starts a retry window and must be current (other
   * connections append to that folder).
   */
  select(path: string, readOnly: boolean): Promise<SelectedFolder> {
    return this.run(async () => {
      const open = this.client.mailbox;
      const m = readOnly && open && open.path === path && open.readOnly ? open : await this.client.mailboxOpen(path, { readOnly });
      return { messages: m.exists, uidNext: m.uidNext, uidValidity: String(m.uidValidity), permanentFlags: [...(m.permanentFlags ?? [])] };
    });
  }

  /**
   * CREATE, then SUBSCRIBE. A folder that already exists is not an error, whether the server
   * says so with ALREADYEXISTS (imapflow then skips SUBSCRIBE) or only in words: it is
   * subscribed either way, as on a raw connection. No STATUS is asked with it (imapflow sends one
   * command at a time): undefined.
   */
  async createFolder(path: string): Promise<undefined> {
    try {
      const r = await this.run(() => this.client.mailboxCreate(path));
      if (r && !r.created) await this.subscribe(path);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      await this.subscribe(path);
    }
    return undefined;
  }

  /** A refused SUBSCRIBE is ignored: the folder is there, and copying does not need it subscribed. */
  private async subscribe(path: string): Promise<void> {
    await this.run(() => this.client.mailboxSubscribe(path)).catch(() => undefined);
  }

  /** Metadata only (no bodies) for a UID set or, with bySeq, a sequence set. */
  fetchMeta(range: string, bySeq = false): Promise<MessageMeta[]> {
    return this.run(async () => {
      const out: MessageMeta[] = [];
      for await (const m of this.client.fetch(range, { uid: true, size: true, flags: true, internalDate: true }, { uid: !bySeq })) {
        out.push(toMeta(m));
      }
      return out;
    });
  }

  /** Metadata plus the identifying headers (BODY.PEEK, so \Seen is untouched), by sequence set or, with byUid, a UID set. */
  fetchHeaders(range: string, headers: readonly string[], byUid = false): Promise<(MessageMeta & { headers: Buffer })[]> {
    return this.run(async () => {
      const out: (MessageMeta & { headers: Buffer })[] = [];
      for await (const m of this.client.fetch(range, { uid: true, size: true, flags: true, internalDate: true, headers: [...headers] }, { uid: byUid })) {
        out.push({ ...toMeta(m), headers: m.headers ?? Buffer.alloc(0) });
      }
      return out;
    });
  }

  gmailLabels(uids: string): Promise<Map<number, string[]> | undefined> {
    if (!this.capabilities.has('X-GM-EXT-1')) return Promise.resolve(undefined);
    return this.run(async () => {
      const out = new Map<number, string[]>();
      for await (const m of this.client.fetch(uids, { uid: true, labels: true }, { uid: true })) out.set(m.uid, [...(m.labels ?? [])]);
      return out;
    });
  }

  /** UID and flags only: the cheapest way to see flag changes on a server without CONDSTORE. */
  fetchFlags(range: string): Promise<{ uid: number; flags: string[] }[]> {
    return this.run(async () => {
      const out: { uid: number; flags: string[] }[] = [];
      for await (const m of this.client.fetch(range, { uid: true, flags: true }, { uid: true })) out.push({ uid: m.uid, flags: [...(m.flags ?? [])] });
      return out;
    });
  }

  /**
   * Streams full messages. The caller may use ANOTHER session while iterating (never this one:
   * imapflow would deadlock), and must keep `uids` bounded since rows queue without limit.
   */
  async *fetchSources(uids: string, onAnswered?: () => void): AsyncGenerator<MessageWithSource> {
    await this.gate?.wait();
    try {
      for await (const m of this.client.fetch(uids, { uid: true, size: true, flags: true, internalDate: true, source: true }, { uid: true })) {
        // Expunged by another session since this one last looked: Dovecot answers BODY[] NIL.
        // Nothing to copy (never an empty APPEND): the caller counts the UID as vanished.
        if (!m.source || m.source.length === 0) continue;
        yield { ...toMeta(m), source: m.source };
      }
      // imapflow's rows are taken as they come: answered once the last one was.
      onAnswered?.();
    } catch (e) {
      throw classify(e, this.site);
    }
  }

  append(path: string, source: Buffer, flags: string[], internalDate: string): Promise<AppendResult> {
    return this.run(async () => {
      const r = await this.client.append(path, source, flags, new Date(internalDate));
      if (!r) throw new MigrationError('MESSAGE_REJECTED', 'permanent', `${this.site} IMAP: APPEND to "${path}" returned no result`);
      return { ...(r.uid !== undefined ? { uid: r.uid } : {}), ...(r.uidValidity !== undefined ? { uidValidity: String(r.uidValidity) } : {}) };
    });
  }

  setFlags(uids: string, flags: string[]): Promise<void> {
    return this.run(async () => {
      await this.client.messageFlagsSet(uids, flags, { uid: true });
    });
  }

  deleteMessages(uids: string): Promise<'deleted' | 'no-uidplus'> {
    if (!this.capabilities.has('UIDPLUS')) return Promise.resolve('no-uidplus');
    return this.run(async () => {
      // imapflow sends UID EXPUNGE <uids> when UIDPLUS is on offer (checked above), never a bare EXPUNGE here.
      if (!(await this.client.messageDelete(uids, { uid: true }))) throw new MigrationError('IMAP_COMMAND_FAILED', 'permanent', `${this.site} IMAP: the messages could not be removed`);
      return 'deleted' as const;
    });
  }

  deleteFolder(path: string): Promise<void> {
    return this.run(async () => {
      // imapflow leaves the folder first when it is the selected one (UNSELECT, never CLOSE: no expunge).
      await this.client.mailboxDelete(path);
    });
  }

  async close(): Promise<void> {
    try {
      await this.client.logout();
    } catch {
      this.client.close();
    }
  }
}

function toMeta(m: FetchMessageObject): MessageMeta {
  const d = m.internalDate instanceof Date ? m.internalDate : new Date(m.internalDate ?? 0);
  return { uid: m.uid, size: m.size ?? 0, flags: [...(m.flags ?? [])], internalDate: d.toISOString() };
}
