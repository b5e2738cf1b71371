import type { LabInfo } from '../../test/lab/lab-info.js';
import { countingProxies } from '../profile.js';

/**
 * Every IMAP command of a run as a line of a timeline: ms from the start when it was sent and
 * when it was answered, the side and connection (S2 = the second source connection), the
 * command. The run goes through one counting proxy per server; a proxy is a TCP hop of its own,
 * so the round trips it shows are twice the delay's and its throughput is not the direct one's:
 * use it for order and waits, not for speed.
 */
export async function commandTimeline(lab: LabInfo, ports: { source: number; destination: number }, run: (ports: { source: number; destination: number }) => Promise<void>): Promise<string[]> {
  const [src, dst] = await countingProxies(lab, ports);
  try {
    const t0 = Date.now();
    await run({ source: src.port, destination: dst.port });
    const rows = [...src.commands.map((c) => ({ side: 'S', ...c })), ...dst.commands.map((c) => ({ side: 'D', ...c }))].sort((a, b) => a.at - b.at);
    const ms = (t: number | undefined): string => (t === undefined ? '-' : String(t - t0)).padStart(6);
    return rows.map((c) => `${ms(c.at)} ${ms(c.doneAt)} ${c.side}${c.connection} ${c.name} ${c.args.slice(0, 70)}`);
  } finally {
    await Promise.all([src.stop(), dst.stop()]);
  }
}
