import { connect, createServer, type Server } from 'node:net';

/**
 * Asks the kernel for `count` distinct free ports on 127.0.0.1. Dovecot and Azurite need their
 * ports on the command line, so there is a short window in which another process could take a
 * port: callers retry a start that fails to listen (see lab.ts).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<Server>((resolve, reject) => {
        const s = createServer();
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => resolve(s));
      }),
    ),
  );
  const ports = servers.map((s) => {
    const a = s.address();
    if (a === null || typeof a === 'string') throw new Error('unexpected server address');
    return a.port;
  });
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/**
 * Resolves once 127.0.0.1:port accepts a TCP connection. `whyDead` is asked between attempts:
 * when the process that should listen has exited it returns the reason, and we fail at once
 * instead of waiting for the timeout.
 */
export async function waitForPort(port: number, timeoutMs: number, whyDead?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await canConnect(port)) return;
    const dead = whyDead?.();
    if (dead !== undefined) throw new Error(dead);
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 15));
  }
}
