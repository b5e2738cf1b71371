import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureSharedTls } from '../test/lab/certs.js';
import { labHome } from '../test/lab/paths.js';

const CHILD_FLAG = 'MAILMIG_BENCH_CHILD';

/**
 * Node reads NODE_EXTRA_CA_CERTS once, at start: the bench must trust the lab CA itself (it
 * seeds and verifies over TLS) and pass it to every child. The lab CA is shared by all labs of
 * this tree (certs.ts), so it can be made before the lab starts: make it, then run this same
 * script again with the variable set. Returns true in the process that should do the work.
 */
export async function inTrustingProcess(wrap: string[] = []): Promise<boolean> {
  if (process.env[CHILD_FLAG] === '1') return true;
  const tls = await ensureSharedTls(join(labHome(), 'ca'));
  // `wrap` runs it inside something, e.g. `ip netns exec <name>` (wan/namespace.ts).
  const [command, ...args] = [...wrap, process.execPath, ...process.argv.slice(1)] as [string, ...string[]];
  const child = spawn(command, args, {
    stdio: 'inherit',
    env: { ...process.env, [CHILD_FLAG]: '1', NODE_EXTRA_CA_CERTS: tls.caCertPath },
  });
  // Ctrl-C reaches the child through the terminal's process group; wait for it to clean up.
  process.on('SIGINT', () => undefined);
  process.exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  return false;
}
