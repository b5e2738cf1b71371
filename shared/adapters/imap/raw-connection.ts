import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { SideSettings } from '../../config/settings.js';
import { classify, type ErrorSite } from '../../errors/classify.js';
import { ImapFailure } from '../../errors/imap-failure.js';
import { MigrationError } from '../../errors/migration-error.js';
import type { ImapAuth } from '../../contracts/imap.js';
import { observedCommand } from './command-observer.js';
import { CommandDispatcher } from './protocol/command-dispatcher.js';
import { commandLine } from './protocol/command-compiler.js';
import type { ImapResponse } from './protocol/imap-response.js';
import { ResponseFramer } from './protocol/response-framer.js';
import type { UntaggedHandlers } from './protocol/untagged-routing.js';

/**
 * One IMAP connection spoken directly, for the hot path: folders listed, fetched and created
 * (raw-folder-session.ts) and pipelined APPENDs (pipelined-appender.ts). The protocol itself is
 * the small library in ./protocol: the framer cuts the socket's bytes into responses
 * (literal-aware), the dispatcher matches tagged answers to commands by tag (many in flight,
 * RFC 3501 §5.5) and gives each command the untagged answers it asked for. This class adds the
 * socket: TLS, login, timeouts, back-pressure, and the classified errors callers get.
 *
 * Only implicit TLS is spoken here: open() returns undefined otherwise and callers use imapflow.
 */

/** A response: the text between its literals (parts.length = literals.length + 1). */
export type Untagged = ImapResponse;

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

export interface RawOpenOptions {
  timeoutMs?: number;
  responseTimeoutMs?: number;
  tagPrefix?: string;
  /** Told how long the TCP connect took (one round trip): the dialer's RoundTripMeter. */
  onConnected?: (ms: number) => void;
}

/** What the connection needs of its socket: a TLS socket, or an in-memory Duplex in unit tests. */
export type ImapSocket = Duplex & Pick<tls.TLSSocket, 'setKeepAlive' | 'setTimeout'>;

export class RawImapConnection {
  private readonly framer = new ResponseFramer();
  private readonly dispatcher: CommandDispatcher;
  /** The command being written in pieces, if any. */
  private writing?: { tag: string; ended: boolean };
  private greeting?: { resolve: (line: string) => void; reject: (e: unknown) => void };

  private constructor(
    private readonly socket: ImapSocket,
    readonly site: ErrorSite,
    tagPrefix: string,
  ) {
    this.dispatcher = new CommandDispatcher({
      tagPrefix,
      write: (parts) => this.write(parts),
      toError: (f) => classify(f, site),
      // No onUnclaimed: an answer no command asked for (an EXISTS while APPENDs are in flight, a
      // flag change during a FETCH) tells the engine nothing it uses, so it is dropped.
      onTagged: (tag) => {
        if (this.writing?.tag === tag) this.endWriting(this.writing);
      },
      onFailed: (e) => {
        this.greeting?.reject(e);
        this.greeting = undefined;
        this.socket.destroy();
      },
    });
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new ImapFailure('closed', '', 'connection closed')));
  }

  /**
   * Connects, logs in (SASL-IR) and returns the connection with its capabilities; undefined
   * without implicit TLS or SASL-IR. `auth` may still be on its way (a token being fetched): the
   * TCP and TLS handshakes and the greeting go meanwhile, and only the login waits for it.
   */
  static async open(side: SideSettings, auth: ImapAuth | Promise<ImapAuth>, site: ErrorSite, opts: RawOpenOptions = {}): Promise<{ connection: RawImapConnection; capabilities: Set<string> } | undefined> {
    if (side.tls !== 'implicit') return undefined;
    const dialed = performance.now();
    const socket = tls.connect({ host: side.host, port: side.port, ...(/^[\d.]+$|:/.test(side.host) ? {} : { servername: side.host }) });
    socket.setNoDelay(true);
    const onConnected = opts.onConnected;
    if (onConnected) socket.once('connect', () => onConnected(performance.now() - dialed));
    return RawImapConnection.start(socket, auth, site, opts);
  }

  /** Reads the greeting and logs in over a socket already connected (open() does the connecting); see open. */
  static async start(socket: ImapSocket, credentials: ImapAuth | Promise<ImapAuth>, site: ErrorSite, opts: { timeoutMs?: number; responseTimeoutMs?: number; tagPrefix?: string } = {}): Promise<{ connection: RawImapConnection; capabilities: Set<string> } | undefined> {
    const authed = Promise.resolve(credentials);
    authed.catch(() => undefined); // awaited after the greeting; not unhandled while the server answers
    const c = new RawImapConnection(socket, site, opts.tagPrefix ?? 'R');
    c.watchResponses(opts.responseTimeoutMs ?? 5 * 60_000);
    const timer = setTimeout(() => socket.destroy(new Error('connection timed out')), opts.timeoutMs ?? 30_000);
    try {
      const greeting = await new Promise<string>((resolve, reject) => (c.greeting = { resolve, reject }));
      // The login goes in one round trip (SASL-IR, RFC 4959); a server without it gets imapflow.
      const before = /\[CAPABILITY ([^\]]*)\]/i.exec(greeting)?.[1] ?? (await c.capability());
      if (!/(^|\s)SASL-IR(\s|$)/i.test(before)) {
        await c.close();
        return undefined;
      }
      const auth = await authed;
      const ir = 'accessToken' in auth
        ? Buffer.from(`user=${auth.user}\x01auth=Bearer ${auth.accessToken}\x01\x01`).toString('base64')
        : Buffer.from(`\x00${auth.user}\x00${auth.pass}`).toString('base64');
      const ok = await c.command([commandLine(`AUTHENTICATE ${'accessToken' in auth ? 'XOAUTH2' : 'PLAIN'} ${ir}`)]);
      // Capabilities change with login; a server that states them in its OK (RFC 3501 7.1) saves a round trip.
      const caps = /^OK \[CAPABILITY ([^\]]*)\]/i.exec(ok)?.[1] ?? (await c.capability());
      return { connection: c, capabilities: new Set(caps.toUpperCase().split(/\s+/)) };
    } catch (e) {
      socket.destroy();
      throw classify(e, site);
    } finally {
      clearTimeout(timer);
    }
  }

  /** CAPABILITY: its untagged answer, as one line (`CAPABILITY IMAP4rev1 …`). */
  private async capability(): Promise<string> {
    const lines: string[] = [];
    await this.command([commandLine('CAPABILITY')], { CAPABILITY: (r) => void lines.push(r.parts.join(' ').slice(2)) });
    return lines.join(' ');
  }

  get usable(): boolean {
    return this.dispatcher.failure === undefined && !this.socket.destroyed;
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
    this.dispatcher.retag(prefix);
  }

  /**
   * A command waiting while the socket has been silent (nothing read or written) for `ms` fails
   * the connection as a timeout: the caller's retry settles what arrived. An idle connection
   * (nothing waiting) is left alone. Keep-alive probes find a peer that vanished meanwhile.
   */
  private watchResponses(ms: number): void {
    this.socket.setKeepAlive(true, 60_000);
    this.socket.setTimeout(ms, () => {
      if (this.dispatcher.inFlight > 0) this.fail(new ImapFailure('timeout', '', `no answer from the server for ${Math.round(ms / 1000)} s`));
    });
  }

  /** Commands sent and not yet answered. */
  get inFlight(): number {
    return this.dispatcher.inFlight;
  }

  /** Bytes queued in the socket and not yet sent. */
  get writableLength(): number {
    return this.socket.writableLength;
  }

  /**
   * Sends one command (tag added) written as the given parts, in one go; resolves with the text
   * after the tag of an OK, rejects with the classified NO/BAD or connection failure. Its untagged
   * answers go to `untagged` by keyword (see CommandDispatcher); those no command claims are dropped.
   */
  command(parts: readonly (string | Buffer)[], untagged: UntaggedHandlers = {}): Promise<string> {
    return this.send(parts, untagged).answer;
  }

  /**
   * Starts a command that is written in pieces; see OpenCommand. A server that answers it before
   * it has ended (a refusal at its first line) gets the final CRLF at once, and nothing more of it.
   */
  begin(parts: readonly (string | Buffer)[], untagged: UntaggedHandlers = {}): OpenCommand {
    const { tag, answer } = this.send(parts, untagged);
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

  private send(parts: readonly (string | Buffer)[], untagged: UntaggedHandlers): { tag: string; answer: Promise<string> } {
    if (this.writing && !this.writing.ended) throw new Error(`IMAP command ${this.writing.tag} is still being written`);
    if (this.dispatcher.failure === undefined) {
      const line = typeof parts[0] === 'string' ? parts[0] : '';
      observedCommand(this.site, /^AUTHENTICATE /i.test(line) ? 'AUTHENTICATE' : line.split('\r\n')[0]!.replace(/\{\d+\+?\}$/, '').trim());
    }
    return this.dispatcher.send(parts, untagged);
  }

  private write(parts: readonly (string | Buffer)[]): void {
    if (this.dispatcher.failure !== undefined) return;
    this.socket.cork();
    for (const p of parts) this.socket.write(p);
    this.socket.uncork();
  }

  private endWriting(state: { ended: boolean }): void {
    if (state.ended) return;
    state.ended = true;
    this.write(['\r\n']);
  }

  private onData(chunk: Buffer): void {
    if (this.dispatcher.failure !== undefined) return;
    try {
      this.framer.push(chunk, (r) => this.onResponse(r));
    } catch (e) {
      this.fail(e); // a line over the bound: not IMAP
    }
  }

  private onResponse(r: ImapResponse): void {
    if (this.greeting) {
      const g = this.greeting;
      this.greeting = undefined;
      const first = r.parts[0]!;
      if (/^\* (OK|PREAUTH)/i.test(first)) g.resolve(first);
      else g.reject(new MigrationError('IMAP_CONNECTION_FAILED', 'transient', `${this.site} IMAP: unexpected greeting`));
      return;
    }
    this.dispatcher.receive(r);
  }

  /** Fails every command in flight with `err` (classified) and drops the connection. */
  fail(err: unknown): void {
    this.dispatcher.fail(err);
  }

  get failure(): unknown {
    return this.dispatcher.failure;
  }

  async close(): Promise<void> {
    if (this.dispatcher.failure === undefined && this.dispatcher.inFlight === 0) {
      try {
        await this.command([commandLine('LOGOUT')]).catch(() => undefined);
      } finally {
        this.fail(new MigrationError('IMAP_CONNECTION_FAILED', 'transient', 'closed'));
      }
    }
    this.socket.destroy();
  }
}
