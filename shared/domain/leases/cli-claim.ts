import type { PairLeaseClaim } from '../../contracts/pair-lease.js';

const PREFIX = 'cli:';

/**
 * The claim a `mailmig` run makes on a pair's lease in the shared table ledger, beside the Functions
 * app's batches: one per process, naming its host and pid so that a run on the same host can tell
 * a holder that crashed (its pid is gone) from one still copying.
 */
export function cliClaim(host: string, pid: number, token: string): PairLeaseClaim {
  const id = `${PREFIX}${host}:${pid}:${token}`;
  return { batchId: id, instanceId: id };
}

/** The host and pid of a command-line claim; undefined for a Functions batch's. */
export function parseCliClaim(batchId: string): { host: string; pid: number } | undefined {
  if (!batchId.startsWith(PREFIX)) return undefined;
  const m = /^(.+):(\d+):[^:]*$/.exec(batchId.slice(PREFIX.length));
  return m ? { host: m[1]!, pid: Number(m[2]) } : undefined;
}
