import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLab, labSettings, type LabInfo } from '../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../lab/mailboxes.js';
import { seedMailbox, type SeedFolder, type SeedMessage } from '../../lab/seed.js';
import { compareSnapshots, snapshotMailbox, type SnapshotComparison } from '../../lab/snapshot.js';
import { makeMessage, prng } from '../../lab/corpus.js';
import { withImap } from '../../lab/imap.js';
import { FaultProxy } from '../../lab/fault-proxy.js';
import { runCli, startCli, workDir, type CliResult } from '../../support/run-cli.js';
import { describeMoment, runAndKill, type KillMoment } from '../../support/kill-run.js';

/**
 * SIGKILL at random moments during a first pass, deltas and `complete`, each time followed by the
 * same command until it exits 0, then every folder compared source against destination as a
 * multiset of (sha256, flags, internal date). Some re-runs start from an empty STATE_DIR (the
 * ledger lost with the machine): the destination must still never hold a message twice.
 *
 * Moments are drawn from a seeded PRNG (the seed is printed; MAILMIG_KILL_SEED replays the
 * choices, though not the machine's timing), spread over an uninterrupted run of the same command:
 * after the k-th APPEND at the destination, after its k-th command of any kind, or (first pass and
 * deltas) N ms after its first command (see drawMoment). MAILMIG_KILL_LOG=1 prints every kill; a failure shows them.
 */

type Phase = 'first' | 'delta' | 'complete';

const SEED = process.env.MAILMIG_KILL_SEED ?? String(Date.now() % 1_000_000_007);
const rnd = prng(SEED);
const FOLDERS = ['INBOX', 'Projects/2024/Q1', 'Входящие/Архив', '日本語'] as const;
const PER_FOLDER = [30, 20, 20, 15] as const;
/** Kills wanted per phase; `complete` runs once, so it gets as many as land before it ends (at most this). */
const KILLS = { first: 11, delta: 9, complete: 6 } as const;
/** Kills per run of work: a first pass or a delta is started afresh (new work) after this many. */
const KILLS_PER_CYCLE = { first: 6, delta: 3 } as const;
/** Kills (by phase, 0-based) whose re-run starts from a fresh, empty STATE_DIR. */
const LOST_LEDGER_AT: Record<Phase, readonly number[]> = { first: [2, 7], delta: [1, 5], complete: [1] };

let lab: LabInfo;
let proxy: FaultProxy;
const mailboxes: string[] = [];
const kills: Record<Phase, number> = { first: 0, delta: 0, complete: 0 };
let runs = 0;
let lostLedgers = 0;
let refusedAfterCutOver = 0;
let compared = 0;
/** Every kill and its moment, shown with a failure: with the seed, what to replay. */
const killLog: string[] = [];

const at = (i: number): Date => new Date(Date.UTC(2024, 2, 1) + i * 3_600_000);

/** One message of mailbox `m`; `noId` leaves out Message-ID, as some mailers and drafts do. */
function message(m: number, tag: string, i: number, noId = false): SeedMessage {
  const date = at(i);
  return {
    raw: makeMessage({ subject: `Kill ${tag} ${i} — Grüße`, from: 'a@contoso.example', to: 'b@contoso.example', date, bodyBytes: 300 + (i % 7) * 40, seed: `kill-${m}-${tag}-${i}`, ...(noId ? { messageId: null } : {}) }),
    flags: i % 3 === 0 ? [] : ['\\Seen'],
    internalDate: date,
  };
}

/** The exact twins of a folder: same bytes, flags and date (one with, one without Message-ID). */
function twins(m: number, folder: number): SeedMessage[] {
  const date = at(9_000 + folder);
  const twin = (noId: boolean): SeedMessage => ({
    raw: makeMessage({ subject: `Twin ${folder}${noId ? ' no id' : ''}`, from: 'a@contoso.example', to: 'b@contoso.example', date, seed: `twin-${m}-${folder}-${noId}`, ...(noId ? { messageId: null } : {}) }),
    flags: ['\\Seen'],
    internalDate: date,
  });
  return [twin(false), twin(true)];
}

/** First-pass content: per folder its messages, every 6th without Message-ID, and twins spread among them. */
function firstCorpus(m: number): SeedFolder[] {
  return FOLDERS.map((path, f) => {
    const [t, tNoId] = twins(m, f) as [SeedMessage, SeedMessage];
    const messages = Array.from({ length: PER_FOLDER[f]! }, (_, i) => message(m, `f${f}`, i, i % 6 === 5));
    // Three of each twin, far apart, so they land in different ranges.
    messages.splice(1, 0, t, tNoId);
    messages.splice(9, 0, t, tNoId);
    messages.push(t, tNoId);
    return { path, messages };
  });
}

/** What a delta brings: per folder new messages (one without Message-ID), new twins among them, and one more of the first pass's twins. */
function deltaCorpus(m: number, generation: number): SeedFolder[] {
  return FOLDERS.map((path, f) => {
    const fresh = message(m, `d${generation}-${f}`, 1);
    return { path, messages: [fresh, message(m, `d${generation}-${f}`, 2, true), fresh, twins(m, f)[generation % 2]!] };
  });
}

const sumMessages = (folders: SeedFolder[]): number => folders.reduce((n, f) => n + f.messages.length, 0);

/** Flags changed at the source between passes (carried by `complete`); the first change flags one of three twins (UID 2 or 3), so twins differ by flags. */
async function changeFlags(address: string, generation: number): Promise<void> {
  await withImap(lab, 'source', address, async (c) => {
    for (const path of [FOLDERS[0], FOLDERS[2]]) {
      await c.mailboxOpen(path.split('/'));
      await c.messageFlagsAdd(`${2 + generation}`, ['\\Flagged'], { uid: true });
      await c.messageFlagsRemove(`${4 + generation * 3}:${6 + generation * 3}`, ['\\Seen'], { uid: true });
      await c.messageFlagsAdd(`${12 + generation}`, ['$Label1', '\\Answered'], { uid: true });
    }
  });
}

/** The destination as before any copy: every folder this test filled is deleted, INBOX emptied. */
async function emptyDestination(address: string): Promise<void> {
  await withImap(lab, 'destination', address, async (c) => {
    const ours = (await c.list()).map((f) => f.path).filter((p) => p !== 'INBOX' && FOLDERS.some((x) => x === p || x.startsWith(`${p}/`)));
    for (const p of ours.sort((a, b) => b.split('/').length - a.split('/').length)) await c.mailboxDelete(p);
    const inbox = await c.mailboxOpen('INBOX');
    if (inbox.exists > 0) await c.messageDelete('1:*');
  });
}

/** Every folder of every mailbox: nothing lost, nothing twice. Flags may lag behind after a plain delta (`complete` carries them). */
async function expectNoLossNoDuplicate(phase: string, flagsCarried: boolean): Promise<void> {
  for (const a of mailboxes) {
    const [src, dst] = await Promise.all([snapshotMailbox(lab, 'source', a), snapshotMailbox(lab, 'destination', a)]);
    const cmp: SnapshotComparison = compareSnapshots(src, dst);
    const why = `${phase}, ${a}, seed ${SEED}; kills so far:\n${killLog.join('\n')}`;
    expect(cmp.missing, why).toEqual([]);
    expect(cmp.extra, why).toEqual([]);
    expect(flagsCarried ? cmp.diffs : cmp.diffs.filter((d) => !/changed: flags \[[^\]]*\] -> \[[^\]]*\]$/.test(d)), why).toEqual([]);
    compared += Object.values(src.folders).reduce((n, f) => n + f.messages.length, 0);
  }
}

/** The batch's files: one settings file per STATE_DIR (a lost ledger is a new, empty one). */
class Batch {
  readonly dir: string;
  csvPath: string;
  settingsPath: string;
  private states = 0;
  constructor(private readonly values: Record<string, string>) {
    const w = workDir(values, `Email\n${mailboxes.join('\n')}\n`);
    this.dir = w.dir;
    this.csvPath = w.csvPath;
    this.settingsPath = w.settingsPath;
  }
  /** The operator's mistake: the next run starts from an empty STATE_DIR. */
  loseLedger(): void {
    this.states += 1;
    this.settingsPath = join(this.dir, `state-${this.states}.settings.json`);
    writeFileSync(this.settingsPath, JSON.stringify({ IsEncrypted: false, Values: { ...this.values, STATE_DIR: join(this.dir, `state-${this.states}`) } }));
  }
  /** A cut-over batch whose mailboxes were closed by a killed `complete`: taken out of the CSV, as the refusal says. */
  dropRows(addresses: string[]): void {
    const rest = mailboxes.filter((a) => !addresses.includes(a.toLowerCase()));
    this.csvPath = join(this.dir, `rest-${rest.length}.csv`);
    writeFileSync(this.csvPath, `Email\n${rest.join('\n')}\n`);
  }
  args(command: 'migrate' | 'complete' | 'verify'): string[] {
    return [command, '--csv', this.csvPath, '--settings', this.settingsPath, ...(command === 'verify' ? [] : ['--retry-base-ms', '200'])];
  }
}

/** What an uninterrupted run of a command does at the destination: how long, how many commands. */
interface Work {
  /** From its first command at the destination to its end (the start-up before is the machine's load). */
  activeMs: number;
  commands: number;
}

async function observe(args: string[]): Promise<Work & { result: CliResult }> {
  const seen = proxy.commands.length;
  runs += 1;
  const result = await runCli(args);
  const end = Date.now();
  const first = proxy.commands[seen];
  return { result, activeMs: first ? end - first.at : 0, commands: proxy.commands.length - seen };
}

/**
 * A third of the moments after the k-th APPEND (k over the APPENDs still to come), a third after
 * the k-th command at the destination (k over the commands an uninterrupted run sends, less what
 * is done), a third after N ms (N over its duration, times the share of work still to do).
 * `timed: false` leaves out the last: a duration measured under one load overshoots a run under a
 * lighter one, and a `complete` that ends before its kill cannot be run again.
 */
function drawMoment(work: Work, left: { share: number; appends: number; commands: number }, timed: boolean): KillMoment {
  const kind = rnd() * (timed ? 3 : 2);
  if (left.appends > 0 && kind < 1) return { afterAppend: 1 + Math.floor(rnd() * left.appends) };
  if (kind < 2) return { afterCommand: 1 + Math.floor(rnd() * Math.max(1, left.commands)) };
  return { afterMs: Math.round(rnd() * work.activeMs * left.share) };
}

/** `complete` refused because a killed run already closed some pairs: the addresses it names. */
function cutOverRefusal(r: CliResult): string[] | undefined {
  if (r.code !== 2 || !r.stderr.includes('already cut over')) return undefined;
  return [...r.stderr.matchAll(/line \d+: (\S+) -> \S+ was cut over/g)].map((m) => m[1]!.toLowerCase());
}

/** The same command again until it exits 0 (a `complete` refused for closed pairs goes on without them). */
async function untilDone(batch: Batch, command: 'migrate' | 'complete'): Promise<CliResult> {
  for (;;) {
    runs += 1;
    const r = await runCli(batch.args(command));
    const closed = command === 'complete' ? cutOverRefusal(r) : undefined;
    if (closed === undefined) {
      expect(r.code, `${command} after a kill (seed ${SEED}):\n${r.stderr}\n${r.stdout}`).toBe(0);
      return r;
    }
    refusedAfterCutOver += 1;
    batch.dropRows(closed);
    if (closed.length === mailboxes.length) return r;
  }
}

/**
 * One piece of work (a pass) killed up to `maxKills` times, then run to its end. A run that ends
 * by itself before its moment ends the piece. Returns the run that finished (none when every pair
 * had been closed by killed `complete` runs).
 */
async function killedPass(batch: Batch, phase: Phase, command: 'migrate' | 'complete', work: Work, appends: number, maxKills: number): Promise<CliResult | undefined> {
  let left = appends;
  for (let i = 0; i < maxKills && kills[phase] < KILLS[phase]; i++) {
    const moment = drawMoment(work, { share: Math.max(0.1, left / appends), appends: left, commands: work.commands - (appends - left) }, command !== 'complete');
    runs += 1;
    const run = await runAndKill(proxy, batch.args(command), moment);
    if (!run.killed) {
      const closed = command === 'complete' ? cutOverRefusal(run.result) : undefined;
      if (closed !== undefined) {
        refusedAfterCutOver += 1;
        batch.dropRows(closed);
        if (closed.length === mailboxes.length) return undefined;
        continue;
      }
      expect(run.result.code, `${command} ended before the kill ${describeMoment(moment)} (seed ${SEED}):\n${run.result.stderr}`).toBe(0);
      return run.result;
    }
    const lost = LOST_LEDGER_AT[phase].includes(kills[phase]);
    if (lost) {
      batch.loseLedger();
      lostLedgers += 1;
    }
    kills[phase] += 1;
    killLog.push(`${phase} #${kills[phase]} ${describeMoment(moment)} (${run.appends} APPENDs, ${run.elapsedMs} ms)${lost ? ', re-run from an empty STATE_DIR' : ''}`);
    left = Math.max(0, left - run.appends);
  }
  const done = await untilDone(batch, command);
  return done.code === 0 ? done : undefined;
}

describe('mailmig killed with SIGKILL at random moments, then run again', () => {
  beforeAll(async () => {
    lab = getLab();
    proxy = await FaultProxy.forLab(lab, 'destination');
    for (let m = 0; m < 3; m++) {
      const a = uniqueAddress(`sigkill${m}`);
      mailboxes.push(a);
      await addMailbox(lab, 'source', a);
      await addMailbox(lab, 'destination', a);
      await seedMailbox(lab, 'source', a, firstCorpus(m));
    }
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
  });

  it('a first pass, deltas and complete, killed at random moments (some re-runs without a ledger): nothing lost, nothing twice, verification PASS', async () => {
    console.log(`sigkill: seed ${SEED} (replay with MAILMIG_KILL_SEED=${SEED})`);
    const started = Date.now();
    // Small ranges, one message per APPEND (as on Exchange, which has no MULTIAPPEND) and two
    // folders at once per mailbox: a kill lands inside ranges, between them and between folders.
    const values = labSettings(lab, {
      STORAGE_CONNECTION_STRING: '',
      DESTINATION_IMAP_HOST: proxy.host,
      DESTINATION_IMAP_PORT: String(proxy.port),
      RANGE_MAX_MESSAGES: '6',
      APPEND_BATCH_MESSAGES: '1',
      MAX_CONNECTIONS_PER_MAILBOX: '2',
      MESSAGES_PER_FOLDER_WORKER: '1',
    });
    const firstCount = mailboxes.length * sumMessages(firstCorpus(0));

    // First pass: one uninterrupted run to learn its duration, then the destination emptied and the pass killed.
    const first = await observe(new Batch(values).args('migrate'));
    expect(first.result.code, first.result.stderr).toBe(0);
    await expectNoLossNoDuplicate('first pass, uninterrupted', true);
    const batch = new Batch(values);
    while (kills.first < KILLS.first) {
      for (const a of mailboxes) await emptyDestination(a);
      batch.loseLedger(); // a new first pass: its ledger starts empty too
      await killedPass(batch, 'first', 'migrate', first, firstCount, KILLS_PER_CYCLE.first);
      await expectNoLossNoDuplicate(`first pass after ${kills.first} kills`, true);
    }

    // Deltas: new messages and changed flags at the source; the first delta uninterrupted, to learn its duration.
    let generation = 0;
    const addDelta = async (): Promise<number> => {
      generation += 1;
      for (const [m, a] of mailboxes.entries()) {
        await seedMailbox(lab, 'source', a, deltaCorpus(m, generation));
        await changeFlags(a, generation);
      }
      return mailboxes.length * sumMessages(deltaCorpus(0, generation));
    };
    await addDelta();
    const delta = await observe(batch.args('migrate'));
    expect(delta.result.code, delta.result.stderr).toBe(0);
    await expectNoLossNoDuplicate('delta, uninterrupted', false);
    while (kills.delta < KILLS.delta) {
      const appends = await addDelta();
      await killedPass(batch, 'delta', 'migrate', delta, appends, KILLS_PER_CYCLE.delta);
      await expectNoLossNoDuplicate(`delta ${generation} after ${kills.delta} kills`, false);
    }

    // complete: a last delta, flags carried, verification, close. It runs once: its duration is taken
    // as a delta's plus an uninterrupted `verify`'s (flags still differ here: a FAIL is expected).
    // Its commands are counted short of that: it sends no delta's look ahead (a STATUS round at the
    // destination), and a moment past its last command would leave it unkilled, and not run again.
    const verifyRun = await observe(batch.args('verify'));
    expect(verifyRun.result.code).not.toBeNull();
    const completeWork = { activeMs: delta.activeMs + verifyRun.activeMs, commands: Math.floor((delta.commands + verifyRun.commands) * 0.7) };
    const appends = await addDelta();
    const complete = batch;
    const last = await killedPass(complete, 'complete', 'complete', completeWork, appends, KILLS.complete);
    // The run that finished verified the pairs it still held, and every one passed; when the last
    // kill came after every pair was closed, it finds them all cut over (their verdict: `verify`, below).
    if (last && /verification/.test(last.stdout)) expect(last.stdout, last.stdout).toMatch(/verification PASS for (\d+) of \1 mailboxes/);
    else if (last) expect(last.stdout, last.stdout).toMatch(/^Already cut over/m);
    await expectNoLossNoDuplicate(`complete after ${kills.complete} kills`, true);

    // Pairs closed by a killed `complete` left the CSV; the verdict for all of them comes from `verify`.
    const all = new Batch(values);
    all.settingsPath = complete.settingsPath;
    runs += 1;
    const verdict = await runCli(all.args('verify'));
    expect(verdict.code, verdict.stdout + verdict.stderr).toBe(0);
    expect(verdict.stdout).toContain(`${mailboxes.length} PASS, 0 FAIL`);

    if (process.env.MAILMIG_KILL_LOG) console.log(`uninterrupted: first pass ${first.activeMs} ms ${first.commands} commands, delta ${delta.activeMs} ms ${delta.commands}, complete (estimate) ${completeWork.activeMs} ms ${completeWork.commands}\n${killLog.join('\n')}`);
    const total = kills.first + kills.delta + kills.complete;
    console.log(
      `sigkill: seed ${SEED}: ${total} kills (first pass ${kills.first}, delta ${kills.delta}, complete ${kills.complete}), ` +
        `${lostLedgers} re-runs from an empty STATE_DIR, ${runs} runs in all, ${refusedAfterCutOver} complete refusals for closed pairs, ` +
        `${compared} messages compared, 0 lost, 0 duplicated, ${Math.round((Date.now() - started) / 1000)} s`,
    );
    expect(total).toBeGreaterThanOrEqual(20);
    expect(kills.complete).toBeGreaterThanOrEqual(2);
    expect(lostLedgers).toBeGreaterThanOrEqual(4);
  }, 600_000);
});

/** Whether the ledger of some pair under `stateDir` records a cut-over (a snapshot or journal in place, not a temporary file). */
function anyPairClosed(stateDir: string): boolean {
  const dir = join(stateDir, 'checkpoints');
  if (!existsSync(dir)) return false;
  return readdirSync(dir).filter((f) => /\.(json|journal)$/.test(f)).some((f) => {
    try {
      return readFileSync(join(dir, f), 'utf8').includes('"closedAt"');
    } catch {
      return false; // being renamed
    }
  });
}

describe('mailmig complete killed between two pairs', () => {
  it('complete killed right after it closed its first pair: the same command again finishes the rest (or refuses naming the closed pair, which then leaves the CSV); nothing lost, nothing twice, verify PASS for both', async () => {
    lab = getLab();
    const pair = [uniqueAddress('cutkill0'), uniqueAddress('cutkill1')];
    for (const [m, a] of pair.entries()) {
      await addMailbox(lab, 'source', a);
      await addMailbox(lab, 'destination', a);
      await seedMailbox(lab, 'source', a, firstCorpus(10 + m).map((f) => ({ ...f, messages: f.messages.slice(0, 8) })));
    }
    const w = workDir(labSettings(lab, { STORAGE_CONNECTION_STRING: '', RANGE_MAX_MESSAGES: '6' }), `Email\n${pair.join('\n')}\n`);
    const args = (command: string, csv = w.csvPath): string[] => [command, '--csv', csv, '--settings', w.settingsPath, '--concurrency', '1', ...(command === 'verify' ? [] : ['--retry-base-ms', '200'])];
    const first = await runCli(args('migrate'));
    expect(first.code, first.stderr).toBe(0);
    await changeFlags(pair[0]!, 0);

    // One pair at a time: the first is verified and closed while the second has not begun.
    const run = startCli(args('complete'));
    let ended = false;
    void run.done.then(() => (ended = true));
    while (!ended && !anyPairClosed(join(w.dir, 'state'))) await new Promise((r) => setTimeout(r, 2));
    run.child.kill('SIGKILL');
    expect((await run.done).code, 'complete ended before it could be killed between its pairs').toBeNull();

    const again = await runCli(args('complete'));
    const closed = cutOverRefusal(again);
    let finished = again;
    // The one pair cut over may be either: leases, not rows, decide the order.
    if (closed !== undefined) {
      // Today's behaviour: the whole command is refused, naming the one pair the killed run closed.
      expect(closed).toHaveLength(1);
      const open = pair.filter((a) => a.toLowerCase() !== closed[0]);
      expect(open).toHaveLength(1);
      const rest = join(w.dir, 'rest.csv');
      writeFileSync(rest, `Email\n${open.join('\n')}\n`);
      finished = await runCli(args('complete', rest));
    }
    console.log(`complete killed after closing its first pair: the re-run ${closed ? 'was refused for that pair (exit 2) and ran once it left the CSV' : 'finished the batch'}`);
    expect(finished.code, finished.stderr).toBe(0);
    expect(finished.stdout).toMatch(/verification PASS for (\d+) of \1 mailboxes/);
    for (const a of pair) {
      const cmp = compareSnapshots(await snapshotMailbox(lab, 'source', a), await snapshotMailbox(lab, 'destination', a));
      expect(cmp.diffs, a).toEqual([]);
    }
    const verdict = await runCli(args('verify'));
    expect(verdict.stdout, verdict.stderr).toContain('2 PASS, 0 FAIL');
  }, 180_000);
});
