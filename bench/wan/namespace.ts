import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../test/lab/paths.js';
import { inTrustingProcess } from '../trust.js';

/**
 * The bench's WAN: a network namespace of its own whose loopback (MTU 1500, as on a real path)
 * sends every packet through an NFQUEUE rule in PREROUTING to nfq-delay (delay.ts), which holds
 * it for half the round trip. The lab's servers and both tools run inside it (the bench's node
 * process is started again under `ip netns exec`), so every connection crosses the delay twice
 * per round trip. The machine's own `lo` is never touched. `--queue-bypass` lets packets through
 * undelayed while no delay process listens (RTT 0).
 */

export const WAN_QUEUE = 0;

export interface WanNamespace {
  name: string;
  /** The command prefix that runs a program inside the namespace. */
  exec: string[];
  remove(): void;
}

const ip = (...args: string[]): void => void execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'inherit'] });

/** Installs what the delay needs (iptables, libnetfilter_queue) and compiles nfq-delay; returns its path. */
export function setupWan(): string {
  return execFileSync('bash', [join(projectRoot(), 'bench', 'wan', 'setup.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
}

export function createWanNamespace(): WanNamespace {
  const name = `mmbench-${process.pid}`;
  ip('netns', 'add', name);
  try {
    ip('-n', name, 'link', 'set', 'lo', 'mtu', '1500', 'up');
    execFileSync('ip', ['netns', 'exec', name, 'iptables', '-t', 'raw', '-A', 'PREROUTING', '-i', 'lo', '-j', 'NFQUEUE', '--queue-num', String(WAN_QUEUE), '--queue-bypass'], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (e) {
    ip('netns', 'del', name);
    throw e;
  }
  return { name, exec: ['ip', 'netns', 'exec', name], remove: () => ip('netns', 'del', name) };
}

/**
 * Runs `work` inside the bench's namespace: this process sets up the delay program and the
 * namespace, then runs itself again in it (trusting the lab CA, trust.ts), where `work` is given
 * the delay program's path. The namespace is removed when that process ends.
 */
export async function inWanNamespace(work: (nfqDelay: string) => Promise<void>): Promise<void> {
  if (process.env.MAILMIG_BENCH_CHILD === '1') return work(process.env.MAILMIG_BENCH_NFQ_DELAY!);
  process.env.MAILMIG_BENCH_NFQ_DELAY = setupWan();
  const ns = createWanNamespace();
  try {
    await inTrustingProcess(ns.exec);
  } finally {
    ns.remove();
  }
}
