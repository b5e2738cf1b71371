import type { MailboxSnapshot } from '../test/lab/snapshot.js';
import type { MailmigRun } from './mailmig.js';
import { result, type RunResult } from './report.js';
import type { Pair, Scenarios } from './scenarios.js';

/**
 * One round of the peer comparison: mailmig's batch, mbsync one mailbox at a time, mbsync N at
 * once, then one mailbox alone with each tool (a few times); every copy into fresh destination
 * mailboxes.
 * Rounds alternate the tools in time, so a busy neighbour on a shared machine slows both
 * rather than one (the targets use each tool's best round).
 */

export interface RoundInput {
  round: number;
  concurrency: number;
  /** source mailbox -> destination address, per copy. */
  batch: { mailmig: Pair[]; sequential: Pair[]; parallel: Pair[] };
  /** One mailbox alone, measured once per pair (the two tools alternating which goes first). */
  single: { mailmig: Pair; mbsync: Pair }[];
  total: { messages: number; bytes: number };
  one: { messages: number; bytes: number };
}

export interface RoundOutput {
  rows: RunResult[];
  /** The batch's run directory: run it again for the no-change delta. */
  batchRun: MailmigRun;
  verified: string[];
}

export async function measureRound(s: Scenarios, r: RoundInput, sources: Map<string, MailboxSnapshot>, say: (m: string) => void): Promise<RoundOutput> {
  const tag = (name: string): string => `${name} #${r.round}`;
  const n = r.concurrency;
  const rows: RunResult[] = [];

  say(`round ${r.round}: mailmig migrate, ${r.batch.mailmig.length} mailboxes, --concurrency ${n} ...`);
  const batchRun = s.mailmigRun(`mailmig-batch-${r.round}`, r.batch.mailmig, n);
  rows.push(result(tag('batch first pass'), 'mailmig', `${n} mbx`, r.total.messages, r.total.bytes, await s.mailmig(batchRun, n)));
  say(`round ${r.round}: verifying mailmig's copy message by message ...`);
  const verified = await s.verifyExact(r.batch.mailmig, sources);
  if (verified.length > 0) throw new Error(`mailmig's copy differs from the source:\n${verified.join('\n')}`);

  say(`round ${r.round}: mbsync, one mailbox after another ...`);
  rows.push(result(tag('batch sequential'), 'mbsync', '1 mbx', r.total.messages, r.total.bytes, await s.mbsync(`mbsync-seq-${r.round}`, r.batch.sequential, 1)));
  say(`round ${r.round}: mbsync, ${n} at once ...`);
  rows.push(result(tag('batch parallel'), 'mbsync', `${n} mbx`, r.total.messages, r.total.bytes, await s.mbsync(`mbsync-par-${r.round}`, r.batch.parallel, n)));
  const counts = [...(await s.verifyCounts(r.batch.sequential)), ...(await s.verifyCounts(r.batch.parallel))];
  if (counts.length > 0) throw new Error(`mbsync's copies differ in message counts:\n${counts.join('\n')}`);

  // A sub-second run: measured several times, the tools taking turns to go first.
  say(`round ${r.round}: one mailbox, ${r.single.length} times each ...`);
  for (const [k, one] of r.single.entries()) {
    const mm = async (): Promise<void> => void rows.push(result(tag('one mailbox'), 'mailmig', '1 mbx', r.one.messages, r.one.bytes, await s.mailmig(s.mailmigRun(`mailmig-one-${r.round}-${k}`, [one.mailmig], 1), 1)));
    const mbs = async (): Promise<void> => void rows.push(result(tag('one mailbox'), 'mbsync', '1 mbx', r.one.messages, r.one.bytes, await s.mbsync(`mbsync-one-${r.round}-${k}`, [one.mbsync], 1)));
    for (const run of k % 2 === 0 ? [mm, mbs] : [mbs, mm]) await run();
  }
  return { rows, batchRun, verified };
}

/** The fastest of a run's rounds (rows named `<name> #<round>`). */
export function best(rows: RunResult[], name: string, tool: RunResult['tool']): RunResult {
  const mine = rows.filter((r) => r.tool === tool && (r.name === name || r.name.startsWith(`${name} #`)));
  if (mine.length === 0) throw new Error(`no bench row ${name} / ${tool}`);
  return mine.reduce((a, b) => (b.wallSeconds < a.wallSeconds ? b : a));
}
