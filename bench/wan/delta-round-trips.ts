import { FaultProxy } from '../../test/lab/fault-proxy.js';
import type { Scenarios } from '../scenarios.js';
import type { BenchLab } from '../setup.js';
import type { WanDelay } from './delay.js';
import { countRoundTrips, type RoundTrips } from './round-trips.js';

/** The RTT the wire is counted at (round-trips.ts: the proxies' clock needs some delay to tell waits apart). */
const COUNT_AT_MS = 20;

export interface DeltaRoundTrips {
  folders: number;
  mailmig: RoundTrips;
  mbsync: RoundTrips;
  lines: string[];
}

/**
 * A no-change delta of one mailbox of `folders` folders, each tool against its own first
 * pass (made directly, not counted), then run again through counting proxies in front of both
 * servers.
 */
export async function deltaRoundTrips(s: Scenarios, b: BenchLab, delay: WanDelay, folders: number, mailbox: { source: string; mailmig: string; mbsync: string }): Promise<DeltaRoundTrips> {
  const mm = [{ source: mailbox.source, destination: mailbox.mailmig }];
  const mbs = [{ source: mailbox.source, destination: mailbox.mbsync }];
  await delay.set(0);
  await s.mailmig(s.mailmigRun(`rt-mm-${folders}`, mm, 1), 1);
  await s.mbsync(`rt-mbs-${folders}`, mbs, 1);
  const bad = [...(await s.verifyExact(mm, new Map())), ...(await s.verifyCounts(mbs))];
  if (bad.length > 0) throw new Error(`the ${folders}-folder copy differs: ${bad.join('; ')}`);
  await delay.set(COUNT_AT_MS);
  const counted = async (copy: (ports: { source: number; destination: number }) => Promise<unknown>): Promise<RoundTrips> => {
    const [src, dst] = await Promise.all([FaultProxy.forLab(b.info, 'source'), FaultProxy.forLab(b.info, 'destination')]);
    try {
      await copy({ source: src.port, destination: dst.port });
      return countRoundTrips([src.commands, dst.commands], src.stats().connections + dst.stats().connections);
    } finally {
      await Promise.all([src.stop(), dst.stop()]);
    }
  };
  const mailmig = await counted((ports) => s.mailmig(s.mailmigRun(`rt-mm-${folders}`, mm, 1, {}, ports), 1));
  const mbsync = await counted((ports) => s.mbsync(`rt-mbs-${folders}`, mbs, 1, ports));
  const line = (tool: string, r: RoundTrips): string => `${tool} ${r.commandWaits} command waits summed over connections (${r.criticalWaits} on the critical path) + ${r.connections} connection set-ups, ${r.commands} commands`;
  return { folders, mailmig, mbsync, lines: [line('mailmig', mailmig), line('mbsync', mbsync)] };
}
