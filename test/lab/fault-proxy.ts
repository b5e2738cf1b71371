import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { connect as tlsConnect, createServer, type Server, type TLSSocket } from 'node:tls';
import { ProxiedConnection, type CommandRecord, type ConnectionHooks } from './fault-proxy-connection.js';
import { ArmedFault, type ByteFault, type CommandAction, type CommandFault, type Direction, type FiredFault } from './fault-proxy-faults.js';
import type { CommandLine } from './fault-proxy-stream.js';
import type { ImapServerName, LabInfo } from './lab-info.js';

export { throttledAnswer, TOKEN_EXPIRED_BYE, type ByteFault, type CommandAction, type CommandFault, type FiredFault } from './fault-proxy-faults.js';
export type { CommandRecord } from './fault-proxy-connection.js';

/**
 * A TCP proxy on 127.0.0.1 between the engine and a lab Dovecot that injects network and
 * protocol faults. The engine connects with implicit TLS as usual: the proxy terminates TLS
 * with the lab's server certificate (the engine trusts the lab CA through NODE_EXTRA_CA_CERTS)
 * and opens its own TLS connection to Dovecot's implicit-TLS port, so it sees plaintext IMAP
 * both ways and can cut, delay or answer at an exact command or byte.
 *
 *   const proxy = await FaultProxy.forLab(lab, 'source');
 *   proxy.addFault({ on: { name: 'UID FETCH', args: /BODY/, nth: 3 }, action: { kind: 'cut-in-response', afterBytes: 20_000 } });
 *   labSettings(lab, { SOURCE_IMAP_PORT: String(proxy.port) });   // the host stays 127.0.0.1
 */

export interface FaultProxyOptions {
  target: { host: string; port: number; servername?: string };
  /** PEM: the certificate and key the proxy presents, and the CA it checks the target with. */
  tls: { cert: string; key: string; ca: string };
}

export interface ProxyStats {
  connections: number;
  /** Logins per mailbox (lower case). */
  connectionsByUser: Record<string, number>;
  /** Commands seen per name (`UID FETCH`, `APPEND` …). */
  commands: Record<string, number>;
  /** Most commands one connection had sent and not yet seen answered (1 = no pipelining). */
  maxInFlight: number;
  /** The same, per command name: `APPEND` 1 means no connection ever had two APPENDs unanswered. */
  maxInFlightByCommand: Record<string, number>;
  /** Most client connections open at the same time. */
  maxOpen: number;
}

export class FaultProxy {
  private readonly faults: ArmedFault[] = [];
  private readonly byteFaults: ByteFault[] = [];
  private readonly open = new Set<ProxiedConnection>();
  private readonly log: CommandRecord[] = [];
  private readonly firedLog: FiredFault[] = [];
  private latency = 0;
  private metered?: { direction: 'client-to-server' | 'server-to-client'; samples: { at: number; bytes: number }[] };
  private hidden: string[] = [];
  private dropped?: RegExp;
  private connectionCount = 0;
  private maxInFlight = 0;
  private readonly maxInFlightByCommand: Record<string, number> = {};
  private maxOpen = 0;

  private constructor(private readonly server: Server, private readonly opts: FaultProxyOptions) {}

  static async start(opts: FaultProxyOptions): Promise<FaultProxy> {
    const server = createServer({ cert: opts.tls.cert, key: opts.tls.key });
    const proxy = new FaultProxy(server, opts);
    server.on('secureConnection', (client) => proxy.accept(client));
    // A client that gives up during the handshake is not the proxy's problem.
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  /** A proxy in front of one of the lab's Dovecots, presenting the same certificate Dovecot does. */
  static async forLab(info: LabInfo, server: ImapServerName): Promise<FaultProxy> {
    const s = info.imap[server];
    const files = await labServerTls(info, server);
    const [cert, key, ca] = await Promise.all([readFile(files.certPath, 'utf8'), readFile(files.keyPath, 'utf8'), readFile(info.caPath, 'utf8')]);
    return FaultProxy.start({ target: { host: s.host, port: s.tlsPort, servername: 'localhost' }, tls: { cert, key, ca } });
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  readonly host = '127.0.0.1';

  addFault(f: CommandFault): void {
    this.faults.push(new ArmedFault(f));
  }

  /** Cut a connection after this many bytes in one direction. */
  cutAfterBytes(f: ByteFault): void {
    this.byteFaults.push(f);
  }

  /**
   * Records every chunk passed on in `direction` from now on, with its time: bytes over time as
   * they cross the wire (server-to-client at a source proxy is what FETCH reads).
   */
  meter(direction: 'client-to-server' | 'server-to-client'): void {
    this.metered = { direction, samples: [] };
  }

  /** The chunks recorded since meter(), in order. */
  meterSamples(): readonly { at: number; bytes: number }[] {
    return this.metered?.samples ?? [];
  }

  /** Delay every chunk in both directions by this long (0 = off). */
  setLatency(ms: number): void {
    this.latency = ms;
  }

  clearFaults(): void {
    this.faults.length = 0;
    this.byteFaults.length = 0;
    this.latency = 0;
    this.hidden = [];
    this.dropped = undefined;
  }

  /** The server seems not to offer these capabilities: they are taken out of what it says it offers. */
  hideCapabilities(names: readonly string[]): void {
    this.hidden = names.map((n) => n.toUpperCase());
  }

  /** Untagged lines of the server matching `re` (and carrying no literal) are not passed on: a server that leaves them out. */
  dropServerLines(re: RegExp): void {
    this.dropped = re;
  }

  /** Every command seen, in arrival order. */
  get commands(): readonly CommandRecord[] {
    return this.log;
  }

  /** Every fault that fired, in order. */
  get fired(): readonly FiredFault[] {
    return this.firedLog;
  }

  stats(): ProxyStats {
    const commands: Record<string, number> = {};
    const byUser: Record<string, number> = {};
    const logins = new Set<number>();
    for (const c of this.log) {
      commands[c.name] = (commands[c.name] ?? 0) + 1;
      if (c.user && !logins.has(c.connection)) {
        logins.add(c.connection);
        byUser[c.user.toLowerCase()] = (byUser[c.user.toLowerCase()] ?? 0) + 1;
      }
    }
    return { connections: this.connectionCount, connectionsByUser: byUser, commands, maxInFlight: this.maxInFlight, maxInFlightByCommand: { ...this.maxInFlightByCommand }, maxOpen: this.maxOpen };
  }

  async stop(): Promise<void> {
    for (const c of this.open) c.close();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private hooks(): ConnectionHooks {
    return {
      commandFault: (cmd: CommandLine, user: string | undefined): CommandAction | undefined => this.faults.find((f) => !f.spent && f.take(cmd, user))?.fault.action,
      byteFault: (connection: number, direction: Direction): ByteFault | undefined => {
        const i = this.byteFaults.findIndex((f) => f.direction === direction && (f.connection === undefined || f.connection === connection));
        return i < 0 ? undefined : this.byteFaults[i];
      },
      latencyMs: () => this.latency,
      hiddenCapabilities: () => this.hidden,
      droppedLines: () => this.dropped,
      recordRelayed: (direction, bytes) => {
        if (this.metered && this.metered.direction === direction) this.metered.samples.push({ at: Date.now(), bytes });
      },
      recordInFlight: (n, name, ofName) => {
        this.maxInFlight = Math.max(this.maxInFlight, n);
        this.maxInFlightByCommand[name] = Math.max(this.maxInFlightByCommand[name] ?? 0, ofName);
      },
      recordCommand: (r) => this.log.push(r),
      recordFired: (f) => {
        this.firedLog.push(f);
        // A byte fault is spent once it cut its connection.
        if (f.action === 'cut-after-bytes') {
          const i = this.byteFaults.findIndex((b) => b.connection === undefined || b.connection === f.connection);
          if (i >= 0) this.byteFaults.splice(i, 1);
        }
      },
    };
  }

  private accept(client: TLSSocket): void {
    this.connectionCount += 1;
    const id = this.connectionCount;
    client.pause();
    const { host, port, servername } = this.opts.target;
    const upstream = tlsConnect({ host, port, servername: servername ?? host, ca: this.opts.tls.ca });
    upstream.pause();
    // Without this, Nagle's algorithm on the proxy's own sockets adds delayed-ACK stalls the
    // engine would not see without the proxy.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const conn = new ProxiedConnection(id, client, upstream, this.hooks());
    this.open.add(conn);
    this.maxOpen = Math.max(this.maxOpen, this.open.size);
    client.once('close', () => this.open.delete(conn));
    upstream.once('secureConnect', () => {
      client.resume();
      upstream.resume();
    });
  }
}

/** The certificate and key a lab Dovecot presents (read from its generated configuration). */
export async function labServerTls(info: LabInfo, server: ImapServerName): Promise<{ certPath: string; keyPath: string }> {
  const configPath = info.imap[server].configPath;
  const config = await readFile(configPath, 'utf8');
  const path = (key: string): string => {
    const m = new RegExp(`^${key} = <(.+)$`, 'm').exec(config);
    if (!m) throw new Error(`no ${key} in ${configPath}`);
    return m[1]!.trim();
  };
  return { certPath: path('ssl_cert'), keyPath: path('ssl_key') };
}
