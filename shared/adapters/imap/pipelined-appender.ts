import tls from 'node:tls';
import iconv from 'iconv-lite';
import type { SideSettings } from '../../config/settings.js';
import { classify, type ErrorSite } from '../../errors/classify.js';
import { MigrationError } from '../../errors/migration-error.js';
import type { AppendResult, ImapAuth } from './imap-session.js';
import { expandUidSet } from './uid-set.js';

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
 * Only implicit TLS is spoken here; callers fall back to imapflow's APPEND when open() returns
 * undefined (no LITERAL+, no UIDPLUS, STARTTLS) or for messages that hold a NUL byte (those
 * need literal8).
 */

/** A tagged answer: OK with its APPENDUID (uid-set expanded), or the refusal, classified. */
interface Reply {
  uidValidity?: string;
  uids?: number[];
}

interface Pending {
  tag: string;
  resolve: (r: Reply) => void;
  reject: (e: unknown) => void;
}

interface GroupEntry {
  source: Buffer;
  flags: string[];
  internalDate: string;
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
  promise: Promise<AppendResult>;
}

/** A MULTIAPPEND command is sent once it holds this many bytes, whatever its message count. */
const GROUP_MAX_BYTES = 8 * 1024 * 1024;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ATOM_FLAG = /^\\?[^\s(){%*"\\\]\x00-\x1f\x7f]+$/;

/** RFC 3501 date-time, in UTC. */
export function imapDateTime(iso: string): string {
  const d = new Date(iso);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `"${p(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000"`;
}

/** A mailbox name as an IMAP quoted string, in modified UTF-7 where it is not ASCII. */
export function quotedMailbox(path: string): string {
  const encoded = /[&\u0080-\uffff]/.test(path) ? iconv.encode(path, 'utf-7-imap').toString('latin1') : path;
  return `"${encoded.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** "(flags) date {n+}\r\n": one message's part of an APPEND command, up to its literal. */
function literalHead(m: { source: Buffer; flags: readonly string[]; internalDate: string }): string {
  return `(${m.flags.join(' ')}) ${imapDateTime(m.internalDate)} {${m.source.length}+}\r\n`;
}

export class PipelinedAppender {
  private buffer = '';
  private readonly pending: Pending[] = [];
  private seq = 0;
  private closedWith?: unknown;
  /** Messages per APPEND command: > 1 only when the server offers MULTIAPPEND. */
  private groupSize = 1;
  private group: GroupEntry[] = [];
  private groupPath = '';
  private groupBytes = 0;

  private constructor(
    private readonly socket: tls.TLSSocket,
    private readonly site: ErrorSite,
  ) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.fail(classify(e, site)));
    socket.on('close', () => this.fail(new MigrationError('IMAP_CONNECTION_FAILED', 'transient', `${site} IMAP: connection closed`)));
  }

  static async open(side: SideSettings, auth: ImapAuth, site: ErrorSite, opts: { timeoutMs?: number; batchMessages?: number } = {}): Promise<PipelinedAppender | undefined> {
    if (side.tls !== 'implicit') return undefined;
    const socket = tls.connect({ host: side.host, port: side.port, ...(/^[\d.]+$|:/.test(side.host) ? {} : { servername: side.host }) });
    socket.setNoDelay(true);
    const a = new PipelinedAppender(socket, site);
    const timer = setTimeout(() => socket.destroy(new Error('connection timed out')), opts.timeoutMs ?? 30_000);
    try {
      await a.waitGreeting();
      const ir = 'accessToken' in auth
        ? Buffer.from(`user=${auth.user}\x01auth=Bearer ${auth.accessToken}\x01\x01`).toString('base64')
        : Buffer.from(`\x00${auth.user}\x00${auth.pass}`).toString('base64');
      await a.command(`AUTHENTICATE ${'accessToken' in auth ? 'XOAUTH2' : 'PLAIN'} ${ir}`);
      const caps = await a.command('CAPABILITY');
      const set = new Set(caps.toUpperCase().split(/\s+/));
      if (!set.has('LITERAL+') || !set.has('UIDPLUS')) {
        await a.close();
        return undefined;
      }
      if (set.has('MULTIAPPEND')) a.groupSize = Math.max(1, opts.batchMessages ?? 1);
      return a;
    } catch (e) {
      socket.destroy();
      throw e instanceof MigrationError ? e : classify(e, site);
    } finally {
      clearTimeout(timer);
    }
  }

  get usable(): boolean {
    return this.closedWith === undefined && !this.socket.destroyed;
  }

  private greeting?: { resolve: () => void; reject: (e: unknown) => void };
  private untagged: string[] = [];

  private waitGreeting(): Promise<void> {
    return new Promise((resolve, reject) => (this.greeting = { resolve, reject }));
  }

  private onData(d: Buffer): void {
    this.buffer += d.toString('latin1');
    let i: number;
    while ((i = this.buffer.indexOf('\r\n')) >= 0) {
      const line = this.buffer.slice(0, i);
      this.buffer = this.buffer.slice(i + 2);
      this.onLine(line);
    }
  }

  private onLine(line: string): void {
    if (this.greeting) {
      const g = this.greeting;
      this.greeting = undefined;
      if (/^\* (OK|PREAUTH)/i.test(line)) g.resolve();
      else g.reject(new MigrationError('IMAP_CONNECTION_FAILED', 'transient', `${this.site} IMAP: unexpected greeting`));
      return;
    }
    if (line.startsWith('* ')) {
      if (/^\* BYE/i.test(line)) this.fail(classify({ message: 'BYE', responseText: line.slice(6), code: 'NoConnection' }, this.site));
      else this.untagged.push(line.slice(2));
      return;
    }
    if (line.startsWith('+')) return; // continuation: not expected with LITERAL+ and SASL-IR
    const sp = line.indexOf(' ');
    const tag = line.slice(0, sp);
    // Servers may answer pipelined commands out of order (RFC 3501 §5.5): match by tag.
    const at = this.pending.findIndex((p) => p.tag === tag);
    if (at < 0) return;
    const [head] = this.pending.splice(at, 1) as [Pending];
    const rest = line.slice(sp + 1);
    const status = /^(\S+)/.exec(rest)?.[1]?.toUpperCase();
    if (status === 'OK') {
      const m = /\[APPENDUID (\d+) ([\d:,]+)\]/i.exec(rest);
      const uids = m ? expandUidSet(m[2]!) : undefined;
      head.resolve(m && uids ? { uidValidity: m[1]!, uids } : {});
    } else {
      const code = /^\S+ \[([A-Z-]+)/i.exec(rest)?.[1]?.toUpperCase() ?? '';
      const text = rest.replace(/^\S+\s+(\[[^\]]*\]\s*)?/, '');
      head.reject(classify({ message: 'Command failed', responseText: text, serverResponseCode: code, responseStatus: status, authenticationFailed: code === 'AUTHENTICATIONFAILED' }, this.site));
    }
  }

  private fail(err: unknown): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = err;
    this.greeting?.reject(err);
    this.greeting = undefined;
    for (const p of this.pending.splice(0)) p.reject(err);
    for (const g of this.group.splice(0)) g.reject(err);
    this.groupBytes = 0;
    this.socket.destroy();
  }

  private send(parts: (string | Buffer)[]): Promise<Reply> {
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith);
    const tag = `P${++this.seq}`;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.push({ tag, resolve, reject });
      this.socket.cork();
      this.socket.write(`${tag} `);
      for (const p of parts) this.socket.write(p);
      this.socket.uncork();
    });
  }

  /** A simple command, resolved with the text of its untagged answers (one per line with `lines`). */
  private async command(text: string, lines = false): Promise<string> {
    this.untagged = [];
    await this.send([`${text}\r\n`]);
    return this.untagged.join(lines ? '\n' : ' ');
  }

  /**
   * SELECTs the target folder on this connection (always sent: its UIDNEXT must be current, it
   * starts a retry window) and returns what the engine needs from it. Dovecot also appends
   * several times faster into the selected mailbox (no re-scan per message).
   */
  async selectFolder(path: string): Promise<{ uidValidity: string; uidNext: number; messages: number; permanentFlags: string[] }> {
    const text = await this.command(`SELECT ${quotedMailbox(path)}`, true);
    const lines = text.split('\n');
    const code = (name: string): string | undefined => lines.map((l) => new RegExp(`^OK \\[${name} ([^\\]]*)\\]`, 'i').exec(l)?.[1]).find((v) => v !== undefined);
    const exists = lines.map((l) => /^(\d+) EXISTS/i.exec(l)?.[1]).find((v) => v !== undefined);
    const perm = code('PERMANENTFLAGS')?.replace(/^\(|\)$/g, '');
    const uidValidity = code('UIDVALIDITY');
    const uidNext = Number(code('UIDNEXT') ?? NaN);
    if (uidValidity === undefined || !Number.isFinite(uidNext)) throw new MigrationError('IMAP_COMMAND_FAILED', 'transient', `${this.site} IMAP: SELECT gave no UIDVALIDITY/UIDNEXT`);
    return { uidValidity, uidNext, messages: Number(exists ?? 0), permanentFlags: perm ? perm.split(/\s+/).filter(Boolean) : [] };
  }

  /**
   * Queues one message; resolves with its APPENDUID when the server has stored it. With
   * MULTIAPPEND the message may wait for others to fill a command: call flush() before waiting
   * for it (flushFor does that only when needed).
   */
  append(path: string, source: Buffer, flags: readonly string[], internalDate: string): Promise<AppendResult> {
    const f = flags.filter((x) => ATOM_FLAG.test(x) && x.toLowerCase() !== '\\recent');
    if (this.groupSize <= 1) return this.appendOne(path, { source, flags: f, internalDate });
    if (this.group.length > 0 && this.groupPath !== path) this.flush();
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith);
    let resolve!: (r: AppendResult) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<AppendResult>((res, rej) => ((resolve = res), (reject = rej)));
    this.group.push({ source, flags: f, internalDate, resolve, reject, promise });
    this.groupPath = path;
    this.groupBytes += source.length;
    if (this.group.length >= this.groupSize || this.groupBytes >= GROUP_MAX_BYTES) this.flush();
    return promise;
  }

  private appendOne(path: string, m: { source: Buffer; flags: string[]; internalDate: string }): Promise<AppendResult> {
    return this.send([`APPEND ${quotedMailbox(path)} ${literalHead(m)}`, m.source, '\r\n']).then((r) => (r.uids?.length === 1 ? { uidValidity: r.uidValidity!, uid: r.uids[0]! } : {}));
  }

  /** Sends the messages waiting for a MULTIAPPEND command. */
  flush(): void {
    const group = this.group.splice(0);
    const path = this.groupPath;
    this.groupBytes = 0;
    if (group.length === 0) return;
    if (group.length === 1) {
      const [g] = group as [GroupEntry];
      this.appendOne(path, g).then(g.resolve, g.reject);
      return;
    }
    const parts: (string | Buffer)[] = [`APPEND ${quotedMailbox(path)}`];
    for (const g of group) parts.push(` ${literalHead(g)}`, g.source);
    parts.push('\r\n');
    this.send(parts).then(
      (r) => {
        const uids = r.uids?.length === group.length ? r.uids : undefined;
        group.forEach((g, i) => g.resolve(uids ? { uidValidity: r.uidValidity!, uid: uids[i]! } : {}));
      },
      (e: unknown) => {
        // A refused MULTIAPPEND stored nothing (RFC 3502): one command per message names the culprit.
        // A dropped connection rejects them all; the caller's retry window settles what arrived.
        if (this.closedWith !== undefined) for (const g of group) g.reject(this.closedWith);
        else if (!(e instanceof MigrationError)) for (const g of group) g.reject(e);
        else for (const g of group) this.appendOne(path, g).then(g.resolve, g.reject);
      },
    );
  }

  /** Flushes when `appended` (a promise from append) is still waiting for its command. */
  flushFor(appended: Promise<unknown>): void {
    if (this.group.some((g) => g.promise === appended)) this.flush();
  }

  /** Messages one command carries (1 without MULTIAPPEND). */
  get batchMessages(): number {
    return this.groupSize;
  }

  /** Bytes queued in the socket or waiting for a command: callers stop feeding above a budget. */
  get queuedBytes(): number {
    return this.socket.writableLength + this.groupBytes;
  }

  get inFlight(): number {
    return this.pending.length + this.group.length;
  }

  async close(): Promise<void> {
    this.groupBytes = 0;
    for (const g of this.group.splice(0)) g.reject(new MigrationError('IMAP_CONNECTION_FAILED', 'transient', 'closed before the message was sent'));
    if (this.closedWith === undefined && this.pending.length === 0) {
      try {
        await this.send(['LOGOUT\r\n']).catch(() => undefined);
      } finally {
        this.closedWith = new MigrationError('IMAP_CONNECTION_FAILED', 'transient', 'closed');
      }
    }
    this.socket.destroy();
  }
}
