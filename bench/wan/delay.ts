import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type AddressInfo } from 'node:net';
import { WAN_QUEUE } from './namespace.js';

/**
 * The round trip the bench adds inside its namespace: nfq-delay holding every packet rtt/2 (RTT
 * 0: no delay process, the rule lets packets by). Changing it restarts the process; packets
 * held by the old one are released as it stops.
 */
export class WanDelay {
  private child?: ChildProcess;
  private current = 0;

  constructor(private readonly binary: string) {}

  get rttMs(): number {
    return this.current;
  }

  async set(rttMs: number): Promise<void> {
    await this.stop();
    this.current = rttMs;
    if (rttMs <= 0) return;
    const child = spawn(this.binary, [String(WAN_QUEUE), String(rttMs / 2)], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    // Bound to the queue once it says so on stderr.
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`nfq-delay exited ${String(code)}`)));
      child.stderr!.once('data', () => resolve());
    });
    child.removeAllListeners('exit');
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.current = 0;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await gone;
  }
}

/** The round trip as a TCP client sees it: median of `n` one-byte pings on one connection, ms. */
export async function measureRtt(n = 7): Promise<number> {
  const server = createServer((s) => s.on('data', (d) => s.write(d)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise<void>((r) => socket.once('connect', () => r()));
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    socket.write('p');
    await new Promise<void>((r) => socket.once('data', () => r()));
    times.push(performance.now() - t);
  }
  socket.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  return times.sort((a, b) => a - b)[Math.floor(n / 2)]!;
}
