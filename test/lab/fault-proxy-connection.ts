import type { TLSSocket } from 'node:tls';
import type { ByteFault, CommandAction, Direction, FiredFault } from './fault-proxy-faults.js';
import { ImapStreamSplitter, loginUser, parseCommandLine, parseServerLine, saslUser, type CommandLine, type Segment } from './fault-proxy-stream.js';

/** One command as the proxy saw it leave the client (LOGIN/AUTHENTICATE arguments are not kept). */
export interface CommandRecord {
  connection: number;
  user?: string;
  tag: string;
  name: string;
  /** The rest of its first line: a FETCH's whole (the UIDs it asks for), else its first 200 characters. */
  args: string;
  /** Date.now() when its first line arrived from the client. */
  at: number;
  /** Date.now() when the server's tagged reply passed the proxy (absent when there was none). */
  doneAt?: number;
  /** OK, NO or BAD. */
  status?: string;
}

/** What a connection asks of the proxy that owns it. */
export interface ConnectionHooks {
  commandFault(cmd: CommandLine, user: string | undefined): CommandAction | undefined;
  byteFault(connection: number, direction: Direction): ByteFault | undefined;
  latencyMs(): number;
  /** Capabilities taken out of the server's greeting and CAPABILITY answers (upper case). */
  hiddenCapabilities(): readonly string[];
  /** Untagged server lines (without a literal) that never reach the client. */
  droppedLines(): RegExp | undefined;
  recordCommand(r: CommandRecord): void;
  recordFired(f: FiredFault): void;
  /** Commands sent and not yet answered on this connection (pipelining depth): all, and of this command's name. */
  recordInFlight(n: number, name: string, ofName: number): void;
  /** Bytes passed on in one direction (bandwidth measurements). */
  recordRelayed(direction: Direction, bytes: number): void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Per-command state on the client side. */
interface Current {
  cmd: CommandLine;
  /** Answered by the proxy: the rest of the command (literals, continuation lines) is dropped. */
  dropping: boolean;
  literalCutAfter?: number;
  literalForwarded: number;
}

/**
 * One client connection relayed to its own server connection, both TLS-terminated here so the
 * IMAP in between is plaintext. Each direction is processed chunk by chunk with its source
 * paused, so delays and cuts happen exactly between the bytes the test chose.
 */
export class ProxiedConnection {
  user?: string;
  private closed = false;
  private readonly split = { client: new ImapStreamSplitter(), server: new ImapStreamSplitter() };
  private readonly relayed: Record<Direction, number> = { 'client-to-server': 0, 'server-to-client': 0 };
  private current?: Current;
  /** AUTHENTICATE without an initial response, or IDLE: client lines are not commands until this tag completes. */
  private rawUntilTag?: { tag: string; mech?: string };
  private swallowTag?: { tag: string; name: string };
  private cutOnContinuation?: { tag: string; name: string };
  private responseBudget?: { left: number; tag: string; name: string };
  private inFlight = 0;
  private readonly inFlightByName = new Map<string, number>();
  private readonly pending = new Map<string, CommandRecord>();

  constructor(
    readonly id: number,
    private readonly client: TLSSocket,
    private readonly server: TLSSocket,
    private readonly hooks: ConnectionHooks,
  ) {
    this.pump(client, (c) => this.fromClient(c));
    this.pump(server, (c) => this.fromServer(c));
    const end = (): void => this.close();
    for (const s of [client, server]) {
      s.on('error', end);
      s.on('close', end);
    }
  }

  /**
   * Ends both sides. The client side is ended (not destroyed) so bytes written just before a
   * cut (a relayed `+`, a BYE) still reach it; it is destroyed shortly after in any case.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.server.destroy();
    this.client.end();
    setTimeout(() => this.client.destroy(), 200).unref();
  }

  private pump(sock: TLSSocket, handle: (chunk: Buffer) => Promise<void>): void {
    sock.on('data', (chunk: Buffer) => {
      sock.pause();
      handle(chunk).then(
        () => sock.resume(),
        () => this.close(),
      );
    });
  }

  private fire(action: FiredFault['action'], cmd?: { tag: string; name: string }): void {
    this.hooks.recordFired({ action, connection: this.id, ...(this.user ? { user: this.user } : {}), ...(cmd ? { tag: cmd.tag, command: cmd.name } : {}), at: Date.now() });
  }

  /** Writes toward `direction`'s receiver, honouring a byte-count cut and backpressure. */
  private async relay(direction: Direction, data: Buffer): Promise<void> {
    if (this.closed) return;
    const to = direction === 'client-to-server' ? this.server : this.client;
    const cut = this.hooks.byteFault(this.id, direction);
    if (cut && this.relayed[direction] + data.length >= cut.afterBytes) {
      to.write(data.subarray(0, Math.max(0, cut.afterBytes - this.relayed[direction])));
      this.fire('cut-after-bytes');
      this.close();
      return;
    }
    this.relayed[direction] += data.length;
    this.hooks.recordRelayed(direction, data.length);
    if (!to.write(data)) await new Promise<void>((r) => to.once('drain', r));
  }

  private async fromClient(chunk: Buffer): Promise<void> {
    const latency = this.hooks.latencyMs();
    if (latency > 0) await sleep(latency);
    for (const seg of this.split.client.push(chunk)) {
      if (this.closed) return;
      await this.clientSegment(seg);
    }
  }

  private async clientSegment(seg: Segment): Promise<void> {
    if (seg.kind === 'literal') return this.clientLiteral(seg.data);
    if (!seg.first) {
      if (!this.current?.dropping) await this.relay('client-to-server', seg.data);
      return;
    }
    if (this.rawUntilTag) {
      // A SASL response line or IDLE's DONE: protocol, but not a command.
      if (this.rawUntilTag.mech && !this.user) this.user = saslUser(this.rawUntilTag.mech, seg.text.trim());
      return this.relay('client-to-server', seg.data);
    }
    const cmd = parseCommandLine(seg.text);
    if (!cmd) return this.relay('client-to-server', seg.data);
    this.user = loginUser(cmd) ?? this.user;
    const secret = cmd.name === 'LOGIN' || cmd.name === 'AUTHENTICATE';
    const record: CommandRecord = { connection: this.id, ...(this.user ? { user: this.user } : {}), tag: cmd.tag, name: cmd.name, args: secret ? '[not kept]' : /FETCH$/.test(cmd.name) ? cmd.args : cmd.args.slice(0, 200), at: Date.now() };
    this.hooks.recordCommand(record);
    this.pending.set(cmd.tag, record);
    this.current = { cmd, dropping: false, literalForwarded: 0 };
    const ofName = (this.inFlightByName.get(cmd.name) ?? 0) + 1;
    this.inFlightByName.set(cmd.name, ofName);
    this.hooks.recordInFlight(++this.inFlight, cmd.name, ofName);
    if (cmd.name === 'AUTHENTICATE' && cmd.args.trim().split(/\s+/).length === 1) this.rawUntilTag = { tag: cmd.tag, mech: cmd.args.trim().toUpperCase() };
    if (cmd.name === 'IDLE') this.rawUntilTag = { tag: cmd.tag };
    if (cmd.name === 'COMPRESS') {
      // Compressed traffic could not be parsed: refuse it the way a server without the extension would.
      this.current.dropping = true;
      this.settled(cmd.name);
      this.client.write(`${cmd.tag} NO COMPRESS is not available through the fault proxy\r\n`);
      return;
    }
    const action = this.hooks.commandFault(cmd, this.user);
    if (action) return this.apply(action, cmd, seg.data);
    return this.relay('client-to-server', seg.data);
  }

  /** A command answered (by the server or the proxy): one fewer in flight. */
  private settled(name: string | undefined): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (name !== undefined) this.inFlightByName.set(name, Math.max(0, (this.inFlightByName.get(name) ?? 0) - 1));
  }

  private async apply(action: CommandAction, cmd: CommandLine, line: Buffer): Promise<void> {
    const at = { tag: cmd.tag, name: cmd.name };
    switch (action.kind) {
      case 'cut':
        this.fire('cut', at);
        return this.close();
      case 'answer':
        this.fire('answer', at);
        this.current!.dropping = true;
        this.settled(cmd.name);
        this.client.write(`${cmd.tag} ${action.text}\r\n`);
        return;
      case 'bye':
        this.fire('bye', at);
        this.client.write(`* BYE ${action.text}\r\n`);
        return this.close();
      case 'delay':
        this.fire('delay', at);
        await sleep(action.ms);
        break;
      case 'hold':
        this.fire('hold', at);
        await action.run(cmd).catch(() => undefined); // the test asserts on what `run` did, not here
        break;
      case 'cut-in-response':
        this.responseBudget = { left: action.afterBytes, ...at };
        break;
      case 'cut-in-literal':
        this.current!.literalCutAfter = action.afterBytes;
        break;
      case 'cut-after-continuation':
        this.cutOnContinuation = at;
        break;
      case 'cut-before-tagged-reply':
        this.swallowTag = at;
        break;
    }
    return this.relay('client-to-server', line);
  }

  private async clientLiteral(data: Buffer): Promise<void> {
    const cur = this.current;
    if (cur?.dropping) return;
    if (cur?.literalCutAfter !== undefined) {
      const room = cur.literalCutAfter - cur.literalForwarded;
      if (data.length >= room) {
        await this.relay('client-to-server', data.subarray(0, room));
        this.fire('cut-in-literal', { tag: cur.cmd.tag, name: cur.cmd.name });
        return this.close();
      }
    }
    if (cur) cur.literalForwarded += data.length;
    return this.relay('client-to-server', data);
  }

  private async fromServer(chunk: Buffer): Promise<void> {
    const latency = this.hooks.latencyMs();
    if (latency > 0) await sleep(latency);
    for (const seg of this.split.server.push(chunk)) {
      if (this.closed) return;
      if (seg.kind === 'line' && seg.first) {
        const line = parseServerLine(seg.text);
        if (line.type === 'tagged') {
          const record = this.pending.get(line.tag);
          this.settled(record?.name);
          this.pending.delete(line.tag);
          if (record) Object.assign(record, { doneAt: Date.now(), status: line.status });
        }
        if (line.type === 'tagged' && this.rawUntilTag?.tag === line.tag) this.rawUntilTag = undefined;
        if (line.type === 'tagged' && this.swallowTag?.tag === line.tag) {
          this.fire('cut-before-tagged-reply', this.swallowTag);
          return this.close();
        }
        if (line.type === 'continuation' && this.cutOnContinuation) {
          await this.relay('server-to-client', seg.data);
          this.fire('cut-after-continuation', this.cutOnContinuation);
          return this.close();
        }
      }
      if (seg.kind === 'line' && seg.first && !seg.literal && seg.text.startsWith('* ') && this.hooks.droppedLines()?.test(seg.text)) continue;
      await this.serverData(seg.kind === 'line' && seg.first ? this.withoutHiddenCapabilities(seg.text, seg.data) : seg.data);
    }
  }

  /** A greeting, `* CAPABILITY` or `[CAPABILITY …]` line without the capabilities the test hides. */
  private withoutHiddenCapabilities(text: string, data: Buffer): Buffer {
    const hidden = this.hooks.hiddenCapabilities();
    if (hidden.length === 0 || !/CAPABILITY /i.test(text)) return data;
    const kept = text.replace(/(CAPABILITY )([^\]]*)/i, (_m, head: string, caps: string) => head + caps.split(' ').filter((c) => !hidden.includes(c.toUpperCase())).join(' '));
    return Buffer.from(`${kept}\r\n`, 'latin1');
  }

  private async serverData(data: Buffer): Promise<void> {
    const budget = this.responseBudget;
    if (budget && data.length >= budget.left) {
      await this.relay('server-to-client', data.subarray(0, budget.left));
      this.fire('cut-in-response', budget);
      return this.close();
    }
    if (budget) budget.left -= data.length;
    return this.relay('server-to-client', data);
  }
}
