import type { ChildProcess } from 'node:child_process';
import type { FaultProxy } from '../lab/fault-proxy.js';
import { startCli, type CliResult } from './run-cli.js';

/**
 * When to SIGKILL a `mailmig` run: so many ms after its first command reached the destination
 * (the start-up before that is node, settings, secrets and tokens, and its length is the
 * machine's load), or once its k-th APPEND or k-th command of any kind reached the destination.
 */
export type KillMoment = { afterMs: number } | { afterAppend: number } | { afterCommand: number };

export interface KillRun {
  /** The process was killed; false when it ended by itself before the moment came. */
  killed: boolean;
  result: CliResult;
  elapsedMs: number;
  /** APPEND commands of this run the proxy saw reach the destination. */
  appends: number;
  /** Commands of any kind of this run the proxy saw. */
  commands: number;
}

const POLL_MS = 2;

export const describeMoment = (m: KillMoment): string =>
  'afterMs' in m ? `${m.afterMs} ms after its first command` : 'afterAppend' in m ? `after APPEND #${m.afterAppend}` : `after command #${m.afterCommand}`;

/**
 * Runs the built `mailmig` with `args` and kills it with SIGKILL at `moment`: no handler runs,
 * nothing is flushed, as when the machine loses power or the OOM killer strikes. APPENDs are
 * counted at `proxy` (in front of the destination), so a kill "after APPEND #k" lands while the
 * k-th message is on the wire or just stored, before its checkpoint can be written.
 */
export function runAndKill(proxy: FaultProxy, args: string[], moment: KillMoment): Promise<KillRun> {
  return startAndKill(proxy, () => startCli(args), moment);
}

/** runAndKill for any process `start` spawns (the CLI, or a test's own engine runner). */
export async function startAndKill(proxy: FaultProxy, start: () => { child: ChildProcess; done: Promise<CliResult> }, moment: KillMoment): Promise<KillRun> {
  const from = proxy.commands.length;
  let seen = from;
  let appends = 0;
  const started = Date.now();
  const run = start();
  let ended = false;
  void run.done.then(() => (ended = true));
  while (!ended) {
    for (; seen < proxy.commands.length; seen++) if (proxy.commands[seen]!.name === 'APPEND') appends += 1;
    const first = proxy.commands[from];
    const due = 'afterMs' in moment ? first !== undefined && Date.now() - first.at >= moment.afterMs : 'afterAppend' in moment ? appends >= moment.afterAppend : seen - from >= moment.afterCommand;
    if (due) {
      run.child.kill('SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const result = await run.done;
  for (; seen < proxy.commands.length; seen++) if (proxy.commands[seen]!.name === 'APPEND') appends += 1;
  // A process that exited by itself between the last look and the kill has a code.
  return { killed: result.code === null, result, elapsedMs: Date.now() - started, appends, commands: seen - from };
}

/** How a far batch killed again and again went: whether a run ended by itself and completed, and one line per run. */
export interface KilledRuns {
  finished: boolean;
  log: string[];
}

/**
 * Starts a far batch (test/support/far-run.ts) in `stateDir`s of its own and SIGKILLs it at
 * `moment(i)` for each of `kills` runs, then lets one run end by itself; after the runs listed in
 * `lostLedgerAt` (0-based) the next one starts from an empty state directory, as after a lost
 * ledger. `beforeRun`/`afterRun` see each run (what the proxies recorded of it). Stops at the first
 * run that ends by itself: its exit code must be 0.
 */
export async function killUntilDone(opts: {
  destination: FaultProxy;
  kills: number;
  lostLedgerAt: readonly number[];
  freshStateDir: () => string;
  moment: (i: number) => KillMoment;
  start: (stateDir: string) => { child: ChildProcess; done: Promise<CliResult> };
  beforeRun?: () => void;
  afterRun?: () => void;
}): Promise<KilledRuns> {
  let stateDir = opts.freshStateDir();
  const log: string[] = [];
  for (let i = 0; i < opts.kills + 1; i++) {
    const lostLedger = opts.lostLedgerAt.includes(i - 1);
    if (lostLedger) stateDir = opts.freshStateDir();
    const moment: KillMoment = i < opts.kills ? opts.moment(i) : { afterAppend: Number.MAX_SAFE_INTEGER };
    opts.beforeRun?.();
    const run = await startAndKill(opts.destination, () => opts.start(stateDir), moment);
    opts.afterRun?.();
    log.push(`run ${i + 1}: ${run.killed ? `killed ${describeMoment(moment)}` : `ended ${run.result.code} ${run.result.stdout.trim()}`}${lostLedger ? ' (empty state directory)' : ''}`);
    if (run.killed) continue;
    if (run.result.code !== 0) throw new Error(`${log.join('\n')}\n${run.result.stderr}`);
    return { finished: (JSON.parse(run.result.stdout) as unknown[])[0] === 'completed', log };
  }
  return { finished: false, log };
}
