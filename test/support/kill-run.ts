import type { FaultProxy } from '../lab/fault-proxy.js';
import { startCli, type CliResult } from './run-cli.js';

/** When to SIGKILL a `mailmig` run: so many ms after it was started, or once the k-th APPEND reached the destination. */
export type KillMoment = { afterMs: number } | { afterAppend: number };

export interface KillRun {
  /** The process was killed; false when it ended by itself before the moment came. */
  killed: boolean;
  result: CliResult;
  elapsedMs: number;
  /** APPEND commands of this run the proxy saw reach the destination. */
  appends: number;
}

const POLL_MS = 2;

export const describeMoment = (m: KillMoment): string => ('afterMs' in m ? `after ${m.afterMs} ms` : `after APPEND #${m.afterAppend}`);

/**
 * Runs the built `mailmig` with `args` and kills it with SIGKILL at `moment`: no handler runs,
 * nothing is flushed, as when the machine loses power or the OOM killer strikes. APPENDs are
 * counted at `proxy` (in front of the destination), so a kill "after APPEND #k" lands while the
 * k-th message is on the wire or just stored, before its checkpoint can be written.
 */
export async function runAndKill(proxy: FaultProxy, args: string[], moment: KillMoment): Promise<KillRun> {
  let seen = proxy.commands.length;
  let appends = 0;
  const started = Date.now();
  const run = startCli(args);
  let ended = false;
  void run.done.then(() => (ended = true));
  while (!ended) {
    for (; seen < proxy.commands.length; seen++) if (proxy.commands[seen]!.name === 'APPEND') appends += 1;
    const due = 'afterMs' in moment ? Date.now() - started >= moment.afterMs : appends >= moment.afterAppend;
    if (due) {
      run.child.kill('SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const result = await run.done;
  for (; seen < proxy.commands.length; seen++) if (proxy.commands[seen]!.name === 'APPEND') appends += 1;
  // A process that exited by itself between the last look and the kill has a code.
  return { killed: result.code === null, result, elapsedMs: Date.now() - started, appends };
}
