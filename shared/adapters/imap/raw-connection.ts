import tls from 'node:tls';
import { iconv } from '../lazy-modules.js';
import type { SideSettings } from '../../config/settings.js';
import { classify, type ErrorSite } from '../../errors/classify.js';
import { MigrationError } from '../../errors/migration-error.js';
import type { ImapAuth } from '../../contracts/imap.js';
import { observedCommand } from './command-observer.js';

/**
 * One IMAP connection spoken directly, for the hot path: folders listed, fetched and created
 * (raw-folder-session.ts) and pipelined APPENDs (pipelined-appender.ts). Commands are matched to
 * their tagged answers by tag, so many can be in flight (RFC 3501 §5.5). Responses are read
 * literal-aware (a literal's bytes are read as bytes, never taken for lines); untagged ones go to
 * `onUntagged` with their literals, or are kept as text for the command that waits on them.
 *
 * Only implicit TLS is spoken here: open() returns undefined otherwise and callers use imapflow.
 */

/** A response: the text between its literals (parts.length = literals.length + 1). */
export interface Untagged {
  parts: string[];
  literals: Buffer[];
}

interface Pending {
  tag: string;
  resolve: (text: string) => void;
  reject: (e: unknown) => void;
}

/**
 * A command written in pieces (begin, write..., end): a MULTIAPPEND that takes its messages as
 * they arrive from the source. Nothing else may be sent on the connection until it has ended.
 */
export interface OpenCommand {
  /** Writes the next piece of the command. */
  write(parts: readonly (string | Buffer)[]): void;
  /** Ends the command (its final CRLF); does nothing once ended. */
  end(): void;
  /** True once ended, by end() or because the server answered it early. */
  readonly ended: boolean;
  /** The tagged answer: resolves with the text after the tag of an OK. */
  readonly answer: Promise<string>;
}

/** A response line (without its literals) longer than this is not IMAP: the connection is dropped. */
const MAX_LINE_BYTES = 1024 * 1024;

/** A mailbox name as an IMAP quoted string, in modified UTF-7 where it is not ASCII. */
export function quotedMailbox(path: string): string {
  const encoded = /[&\u0080-\uffff]/.test(path) ? iconv().encode(path, 'utf-7-imap').toString('latin1') : path;
  return `"${encoded.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** SELECT/EXAMINE's untagged answers, parsed for what the engine needs. */
export function parseSelected(lines: readonly string[], site: ErrorSite): { uidValidity: string; uidNext: number; messages: number; permanentFlags: string[] } {
  const code = (name: string): string | undefined => lines.map((l) => new RegExp(`^OK \\[${name} ([^\\]]*)\\]`, 'i').exec(l)?.[1]).find((v) => v !== undefined);
  const exists = lines.map((l) => /^(\d+) EXISTS/i.exec(l)?.[1]).find((v) => v !== undefined);
  const perm = code('PERMANENTFLAGS')?.replace(/^\(|\)$/g, '');
  const uidValidity = code('UIDVALIDITY');
  const uidNext = Number(code('UIDNEXT') ?? NaN);
  if (uidValidity === undefined || !Number.isFinite(uidNext)) throw new MigrationError('IMAP_COMMAND_FAILED', 'transient', `${site} IMAP: SELECT gave no UIDVALIDITY/UIDNEXT`);
  return { uidValidity, uidNext, messages: Number(exists ?? 0), permanentFlags: perm ? perm.split(/\s+/).filter(Boolean) : [] };
}

export class RawImapConnection {
  private readonly pending: Pending[] = [];
  private seq = 0;
  /** Sees each untagged response (BYE aside) first; true when it took it (FETCH rows with their literals). */
  onUntagged?: (r: Untagged) => boolean;
  /** The command being written in pieces, if any. */
  private writing?: { tag: string; ended: boolean };
  private closedWith?: unknown;
  private greeting?: { resolve: (line: string) => void; reject: (e: unknown) => void };
  /** Untagged answers, as one line each (literals left out). */
  private lines: string[] = [];

  private partial?: Buffer;
  private literal?: { buf: Buffer; at: number };
  private parts: string[] = [];
  private literals: Buffer[] = [];

  private constructor(
    private readonly socket: tls.TLSSocket,
    readonly site: ErrorSite,
    private tagPrefix: string,
  ) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.fail(classify(e, site)));
    socket.on('close', () => this.fail(new MigrationError('IMAP_CONNECTION_FAILED', 'transient', `${site} IMAP: connection closed`)));
  }

  /** Connects, logs in (SASL-IR) and returns the connection with its capabilities; undefined without implicit TLS or SASL-IR. */
  static async open(side: SideSettings, auth: ImapAuth, site: ErrorSite, opts: { timeoutMs?: number; responseTimeoutMs?: number; tagPrefix?: string } = {}): Promise<{ connection: RawImapConnection; capabilities: Set<string> } | undefined> {
    if (side.tls !== 'implicit') return undefined;
    const socket = tls.connect({ host: side.host, port: side.port, ...(/^[\d.]+$|:/.test(side.host) ? {} : { servername: side.host }) });
    socket.setNoDelay(true);
    const c = new RawImapConnection(socket, site, opts.tagPrefix ?? 'R');
    c.watchResponses(opts.responseTimeoutMs ?? 5 * 60_000);
    const timer = setTimeout(() => socket.destroy(new Error('connection timed out')), opts.timeoutMs ?? 30_000);
    try {
      const greeting = await new Promise<string>((resolve, reject) => (c.greeting = { resolve, reject }));
      // The login goes in one round trip (SASL-IR, RFC 4959); a server without it gets imapflow.
      const before = /\[CAPABILITY ([^\]]*)\]/i.exec(greeting)?.[1] ?? (await c.simple('CAPABILITY')).join(' ');
      if (!/(^|\s)SASL-IR(\s|$)/i.test(before)) {
        await c.close();
        return undefined;
      }
      const ir = 'accessToken' in auth
        ? Buffer.from(`user=${auth.user}\x01auth=Bearer ${auth.accessToken}\x01\x01`).toString('base64')
        : Buffer.from(`\x00${auth.user}\x00${auth.pass}`).toString('base64');
      await c.command([`AUTHENTICATE ${'accessToken' in auth ? 'XOAUTH2' : 'PLAIN'} ${ir}\r\n`]);
      const caps = (await c.simple('CAPABILITY')).join(' ');
      return { connection: c, capabilities: new Set(caps.toUpperCase().split(/\s+/)) };
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

  /** Stops reading from the server (the caller holds enough); resume() reads on. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Tags from now on start with `prefix` (a connection handed to a new owner; numbers go on, so tags stay unique). */
  retag(prefix: string): void {
    this.tagPrefix = prefix;
  }

  /**
   * A command waiting while the socket has been silent (nothing read or written) for `ms` fails
   * the connection as a timeout: the caller's retry settles what arrived. An idle connection
   * (nothing waiting) is left alone. Keep-alive probes find a peer that vanished meanwhile.
   */
  private watchResponses(ms: number): void {
    this.socket.setKeepAlive(true, 60_000);
    this.socket.setTimeout(ms, () => {
      if (this.pending.length > 0) this.fail(new MigrationError('IMAP_TIMEOUT', 'transient', `${this.site} IMAP: no answer from the server for ${Math.round(ms / 1000)} s`));
    });
  }

  /** Commands sent and not yet answered. */
  get inFlight(): number {
    return this.pending.length;
  }

  /** Bytes queued in the socket and not yet sent. */
  get writableLength(): number {
    return this.socket.writableLength;
  }

  /**
   * Sends one command (tag added) written as the given parts, in one go; resolves with the text
   * after the tag of an OK, rejects with the classified NO/BAD or connection failure.
   */
  command(parts: readonly (string | Buffer)[]): Promise<string> {
    return this.send(parts).answer;
  }

  /**
   * Starts a command that is written in pieces; see OpenCommand. A server that answers it before
   * it has ended (a refusal at its first line) gets the final CRLF at once, and nothing more of it.
   */
  begin(parts: readonly (string | Buffer)[]): OpenCommand {
    const { tag, answer } = this.send(parts);
    const state = { tag, ended: false };
    this.writing = state;
    answer.catch(() => undefined); // the caller takes it from `answer`; never unhandled here
    return {
      write: (more) => {
        if (state.ended) throw new Error(`IMAP command ${tag} has already ended`);
        this.write(more);
      },
      end: () => this.endWriting(state),
      get ended() {
        return state.ended;
      },
      answer,
    };
  }

  private send(parts: readonly (string | Buffer)[]): { tag: string; answer: Promise<string> } {
    if (this.writing && !this.writing.ended) throw new Error(`IMAP command ${this.writing.tag} is still being written`);
    const tag = `${this.tagPrefix}${++this.seq}`;
    if (this.closedWith !== undefined) return { tag, answer: Promise.reject(this.closedWith) };
    const answer = new Promise<string>((resolve, reject) => this.pending.push({ tag, resolve, reject }));
    const line = typeof parts[0] === 'string' ? parts[0] : '';
    observedCommand(this.site, /^AUTHENTICATE /i.test(line) ? 'AUTHENTICATE' : line.split('\r\n')[0]!.replace(/\{\d+\+?\}$/, '').trim());
    this.write([`${tag} `, ...parts]);
    return { tag, answer };
  }

  private write(parts: readonly (string | Buffer)[]): void {
    if (this.closedWith !== undefined) return;
    this.socket.cork();
    for (const p of parts) this.socket.write(p);
    this.socket.uncork();
  }

  private endWriting(state: { ended: boolean }): void {
    if (state.ended) return;
    state.ended = true;
    this.write(['\r\n']);
  }

  /** A command on its own (nothing else in flight): resolves with its untagged answers, one line each. */
  async simple(text: string): Promise<string[]> {
    this.lines = [];
    await this.command([`${text}\r\n`]);
    const out = this.lines;
    this.lines = [];
    return out;
  }

  private onData(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length && this.closedWith === undefined) {
      if (this.literal) {
        const lit = this.literal;
        const take = Math.min(lit.buf.length - lit.at, chunk.length - i);
        chunk.copy(lit.buf, lit.at, i, i + take);
        lit.at += take;
        i += take;
        if (lit.at === lit.buf.length) {
          this.literals.push(lit.buf);
          this.literal = undefined;
        }
        continue;
      }
      const nl = chunk.indexOf(10, i);
      if (nl < 0) {
        this.partial = this.partial ? Buffer.concat([this.partial, chunk.subarray(i)]) : Buffer.from(chunk.subarray(i));
        if (this.partial.length > MAX_LINE_BYTES) this.fail(new MigrationError('IMAP_CONNECTION_FAILED', 'transient', `${this.site} IMAP: response line over ${MAX_LINE_BYTES} bytes`));
        return;
      }
      let raw = chunk.subarray(i, nl + 1);
      if (this.partial) {
        raw = Buffer.concat([this.partial, raw]);
        this.partial = undefined;
      }
      i = nl + 1;
      const line = raw.toString('latin1', 0, raw.length - (raw.length > 1 && raw[raw.length - 2] === 13 ? 2 : 1));
      const lit = /\{(\d+)\}$/.exec(line);
      if (lit) {
        this.parts.push(line.slice(0, lit.index));
        const size = Number(lit[1]);
        if (size === 0) this.literals.push(Buffer.alloc(0));
        else this.literal = { buf: Buffer.allocUnsafe(size), at: 0 };
        continue;
      }
      this.parts.push(line);
      const response = { parts: this.parts, literals: this.literals };
      this.parts = [];
      this.literals = [];
      this.onResponse(response);
    }
  }

  private onResponse(r: Untagged): void {
    const first = r.parts[0]!;
    if (this.greeting) {
      const g = this.greeting;
      this.greeting = undefined;
      if (/^\* (OK|PREAUTH)/i.test(first)) g.resolve(first);
      else g.reject(new MigrationError('IMAP_CONNECTION_FAILED', 'transient', `${this.site} IMAP: unexpected greeting`));
      return;
    }
    if (first.startsWith('* ')) {
      if (/^\* BYE/i.test(first)) this.fail(classify({ message: 'BYE', responseText: first.slice(6), code: 'NoConnection' }, this.site));
      else if (!this.onUntagged?.(r)) this.lines.push(r.parts.join(' ').slice(2));
      return;
    }
    if (first.startsWith('+')) return; // continuation: not expected with LITERAL+ and SASL-IR
    const line = r.parts.join(' ');
    const sp = line.indexOf(' ');
    const tag = line.slice(0, sp);
    // Servers may answer pipelined commands out of order (RFC 3501 §5.5): match by tag.
    const at = this.pending.findIndex((p) => p.tag === tag);
    if (at < 0) return;
    if (this.writing?.tag === tag) this.endWriting(this.writing);
    const [head] = this.pending.splice(at, 1) as [Pending];
    const rest = line.slice(sp + 1);
    const status = /^(\S+)/.exec(rest)?.[1]?.toUpperCase();
    if (status === 'OK') {
      head.resolve(rest);
      return;
    }
    const code = /^\S+ \[([A-Z-]+)/i.exec(rest)?.[1]?.toUpperCase() ?? '';
    const text = rest.replace(/^\S+\s+(\[[^\]]*\]\s*)?/, '');
    head.reject(classify({ message: 'Command failed', code: status ?? 'BAD', responseText: text, serverResponseCode: code, responseStatus: status, authenticationFailed: code === 'AUTHENTICATIONFAILED' }, this.site));
  }

  /** Fails every command in flight with `err` and drops the connection. */
  fail(err: unknown): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = err;
    this.greeting?.reject(err);
    this.greeting = undefined;
    for (const p of this.pending.splice(0)) p.reject(err);
    this.socket.destroy();
  }

  get failure(): unknown {
    return this.closedWith;
  }

  async close(): Promise<void> {
    if (this.closedWith === undefined && this.pending.length === 0) {
      try {
        await this.command(['LOGOUT\r\n']).catch(() => undefined);
      } finally {
        this.fail(new MigrationError('IMAP_CONNECTION_FAILED', 'transient', 'closed'));
      }
    }
    this.socket.destroy();
  }
}
