import { execFileSync } from 'node:child_process';
import type { LabInfo } from '../../test/lab/lab-info.js';
import { countingProxies } from '../profile.js';

/**
 * Lets the hop between the tool and a proxy by undelayed but for each connection's SYN: iptables
 * rules in the bench's own namespace, ahead of its NFQUEUE rule, for packets to and from the
 * proxy's port. Returns what removes them.
 */
function undelayedHop(port: number): () => void {
  const rules = [['--dport', String(port)], ['--sport', String(port)]];
  // A connection's first packet (SYN) is still delayed: the tool measures a server's distance by its connect, and must find it far.
  const iptables = (op: '-I' | '-D', r: string[]): void => void execFileSync('iptables', ['-t', 'raw', op, 'PREROUTING', ...(op === '-I' ? ['1'] : []), '-i', 'lo', '-p', 'tcp', ...r, '!', '--syn', '-j', 'ACCEPT'], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (const r of rules) iptables('-I', r);
  return () => rules.forEach((r) => iptables('-D', r));
}

/**
 * Every IMAP command of a run as a line of a timeline: ms from the start when it was sent and
 * when it was answered, the side and connection (S2 = the second source connection), the
 * command. The run goes through one counting proxy per server. Inside the bench's namespace the
 * hop from the tool to the proxy is not delayed, so the round trips shown are the delay's; the
 * proxy is still a TCP hop of its own (it decrypts to count), so its throughput is not the
 * direct one's: use it for order and waits, not for speed.
 */
export async function commandTimeline(lab: LabInfo, ports: { source: number; destination: number }, run: (ports: { source: number; destination: number }) => Promise<void>): Promise<string[]> {
  const [src, dst] = await countingProxies(lab, ports);
  const inNamespace = process.env.MAILMIG_BENCH_CHILD === '1';
  const restore = inNamespace ? [undelayedHop(src.port), undelayedHop(dst.port)] : [];
  try {
    const t0 = Date.now();
    await run({ source: src.port, destination: dst.port });
    const rows = [...src.commands.map((c) => ({ side: 'S', ...c })), ...dst.commands.map((c) => ({ side: 'D', ...c }))].sort((a, b) => a.at - b.at);
    const ms = (t: number | undefined): string => (t === undefined ? '-' : String(t - t0)).padStart(6);
    return rows.map((c) => `${ms(c.at)} ${ms(c.doneAt)} ${c.side}${c.connection} ${c.name} ${c.args.slice(0, 70)}`);
  } finally {
    restore.forEach((r) => r());
    await Promise.all([src.stop(), dst.stop()]);
  }
}
