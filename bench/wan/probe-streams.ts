import { createServer, connect, type AddressInfo } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { ImapServerInfo } from '../../test/lab/lab-info.js';

/**
 * What one connection can move through the bench's delay, without mailmig in the way: a raw TCP
 * stream, and the lab's Dovecot answering one FETCH of a folder's bodies or taking its messages as
 * pipelined APPENDs (LITERAL+) or as one MULTIAPPEND — the ceilings mailmig's own streams are
 * compared with (probe.ts).
 */

const mbPerSecond = (bytes: number, ms: number): number => bytes / 1048576 / (ms / 1000);

/** One TCP stream of `bytes` over the namespace's loopback: MB/s. */
export async function rawTcp(bytes: number): Promise<number> {
  const server = createServer((s) => s.resume());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  let got = 0;
  const done = new Promise<void>((r) =>
    server.once('connection', (s) =>
      s.on('data', (d: Buffer) => {
        got += d.length;
        if (got >= bytes) r();
      }),
    ),
  );
  const c = connect((server.address() as AddressInfo).port, '127.0.0.1');
  await new Promise<void>((r) => c.once('connect', () => r()));
  const t = performance.now();
  const chunk = Buffer.alloc(1 << 20, 97);
  for (let sent = 0; sent < bytes; sent += chunk.length) if (!c.write(chunk)) await new Promise<void>((r) => c.once('drain', () => r()));
  await done;
  const ms = performance.now() - t;
  c.destroy();
  server.close();
  return mbPerSecond(bytes, ms);
}

/** A bare IMAP client: sends command lines, waits for a tag's answer, counts bytes received. */
class BareImap {
  received = 0;
  private tail = '';
  private waiting?: { tag: string; resolve: () => void };

  private constructor(private readonly socket: TLSSocket) {
    socket.on('data', (d: Buffer) => {
      this.received += d.length;
      // Only the end of what arrived can hold the tagged answer.
      this.tail = (this.tail + d.toString('latin1')).slice(-512);
      const w = this.waiting;
      if (w && new RegExp(`(^|\\r\\n)${w.tag} (OK|NO|BAD)[^\\r]*\\r\\n$`).test(this.tail)) {
        this.waiting = undefined;
        this.tail = '';
        w.resolve();
      }
    });
  }

  static async login(server: ImapServerInfo, user: string, password: string): Promise<BareImap> {
    const socket = tlsConnect({ host: server.host, port: server.tlsPort });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve());
      socket.once('error', reject);
    });
    const c = new BareImap(socket);
    await c.send('L', [`L LOGIN "${user}" "${password}"\r\n`]);
    return c;
  }

  /** Writes `parts` and waits for the answer tagged `tag`: ms. */
  async send(tag: string, parts: (string | Buffer)[]): Promise<number> {
    const answered = new Promise<void>((resolve) => (this.waiting = { tag, resolve }));
    const t = performance.now();
    this.socket.cork();
    for (const p of parts) this.socket.write(p);
    this.socket.uncork();
    await answered;
    return performance.now() - t;
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface ServerStreams {
  /** One FETCH of every body of the folder on a new connection, and again on the same (warm) one: MB/s. */
  fetchCold: number;
  fetchWarm: number;
  /** The same messages APPENDed pipelined (LITERAL+), and as one MULTIAPPEND: MB/s. */
  appendPipelined: number;
  multiAppend: number;
}

export async function serverStreams(source: { server: ImapServerInfo; user: string; password: string; folder: string }, destination: { server: ImapServerInfo; user: string; password: string }, messages: readonly Buffer[]): Promise<ServerStreams> {
  const bytes = messages.reduce((n, m) => n + m.length, 0);
  const src = await BareImap.login(source.server, source.user, source.password);
  await src.send('S', [`S EXAMINE "${source.folder}"\r\n`]);
  let from = src.received;
  const cold = await src.send('F', ['F FETCH 1:* BODY.PEEK[]\r\n']);
  const fetchCold = mbPerSecond(src.received - from, cold);
  from = src.received;
  const warm = await src.send('G', ['G FETCH 1:* BODY.PEEK[]\r\n']);
  const fetchWarm = mbPerSecond(src.received - from, warm);
  src.close();
  const dst = await BareImap.login(destination.server, destination.user, destination.password);
  const pipelined = messages.flatMap((m, i) => [`A${i} APPEND INBOX {${m.length}+}\r\n`, m, '\r\n']);
  const appendPipelined = mbPerSecond(bytes, await dst.send(`A${messages.length - 1}`, pipelined));
  const multi = ['M APPEND INBOX', ...messages.flatMap((m) => [` {${m.length}+}\r\n`, m]), '\r\n'];
  const multiAppend = mbPerSecond(bytes, await dst.send('M', multi));
  dst.close();
  return { fetchCold, fetchWarm, appendPipelined, multiAppend };
}

/**
 * The ceiling of a copy over the delay: `streams` pairs of new TCP connections at once, each
 * pair reading its share of `bytes` from a sender and writing it on to a sink as it arrives (the
 * shape of a folder copy, without IMAP). MB/s of the whole, from the first connect to the last
 * byte at the sinks.
 */
export async function rawRelay(bytes: number, streams: number): Promise<number> {
  const share = Math.ceil(bytes / streams);
  const chunk = Buffer.alloc(1 << 20, 97);
  const sender = createServer((s) => {
    void (async () => {
      for (let sent = 0; sent < share; sent += chunk.length) if (!s.write(chunk.subarray(0, Math.min(chunk.length, share - sent)))) await new Promise<void>((r) => s.once('drain', () => r()));
    })();
  });
  let got = 0;
  let arrived!: () => void;
  const all = new Promise<void>((r) => (arrived = r));
  const sink = createServer((s) =>
    s.on('data', (d: Buffer) => {
      got += d.length;
      if (got >= share * streams) arrived();
    }),
  );
  await Promise.all([sender, sink].map((srv) => new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()))));
  const t = performance.now();
  const pairs = Array.from({ length: streams }, () => {
    const from = connect((sender.address() as AddressInfo).port, '127.0.0.1');
    const to = connect((sink.address() as AddressInfo).port, '127.0.0.1');
    from.pipe(to);
    return [from, to];
  });
  await all;
  const ms = performance.now() - t;
  for (const p of pairs) for (const c of p) c.destroy();
  sender.close();
  sink.close();
  return mbPerSecond(bytes, ms);
}
