import pLimit from 'p-limit';
import type { MailboxRow } from '../contracts/mailbox.js';
import { mailboxPair, type MailboxPair } from '../contracts/mailbox-pair.js';
import type { BatchReport, MailboxReport } from '../contracts/report.js';
import type { EngineDeps } from './engine-deps.js';
import { copyPreparedMailbox, lookAhead, migrateMailbox, prepareMailboxPass, type MigrateMailboxOptions } from './migrate-mailbox.js';
import { PrepareTurns } from './prepare-turns.js';
import { SpareWorkers } from './spare-workers.js';
import { PassSlots, type HeldSlot } from './pass-slots.js';
import type { MailboxLeases } from '../domain/leases/mailbox-lease.js';
import { summariseMailbox } from './summarise.js';
import { batchReport } from './mailbox-pass/batch-report.js';
import { BATCH_WIDE } from '../contracts/error-codes.js';
import { classify } from '../errors/classify.js';

export interface RunBatchOptions {
  batchId: string;
  final?: boolean;
  concurrency: number;
  retryBaseMs: number;
  onCopied?: (n: number, bytes: number) => void;
  /** A mailbox's byte budget ran out: it waits until `resumesAt` (ISO 8601), the others go on. */
  onBudgetPause?: (pair: MailboxPair, resumesAt: string) => void;
  onMailboxDone?: (r: MailboxReport) => void;
  /** One run at a time per mailbox pair: a pair another run holds is refused (MAILBOX_LEASED). */
  leases?: MailboxLeases;
}

/** Ledgers read at once when checking a batch for closed pairs (a file or a Table query each). */
const CLOSED_CHECKS_AT_ONCE = 16;

/** Mailbox pairs already cut over: no later pass may copy into them. */
export async function closedMailboxes(deps: EngineDeps, rows: readonly MailboxRow[]): Promise<{ row: MailboxRow; closedAt: string }[]> {
  const limit = pLimit(CLOSED_CHECKS_AT_ONCE);
  const at = await Promise.all(rows.map((row) => limit(() => deps.checkpoints.closedAt(mailboxPair(row).key))));
  return rows.flatMap((row, i) => (at[i] ? [{ row, closedAt: at[i] }] : []));
}

/** Look-ups at once per mailbox slot (see runBatch). */
const LOOK_AHEAD = 2;

/**
 * The one-machine driver: a bounded-concurrency loop over the same engine calls the activities
 * make. Each mailbox is first looked at and prepared without one of the `concurrency` pass slots:
 * a delta's look (a source connection for LIST and STATUS, and one pipelined STATUS round at the
 * destination beside it) ends a mailbox where nothing changed, so look-ups run LOOK_AHEAD times
 * as many at once as passes. Any other mailbox, once a running pass has started its last folder
 * (prepare-turns.ts), has its folders listed, created and asked their STATUS
 * (prepareMailboxPass), and copies once it has a slot. A look keeps its own slot until the
 * mailbox's pass has one: at most that many mailboxes wait with a source connection open, and at
 * most one per slot prepared (idle connections close after a minute, as any). On a far server a
 * pass hands its slot on once every folder has read its source: `concurrency` mailboxes read at
 * once, and those finishing (last APPENDs, records, checks) do so beside them.
 */
export async function runBatch(deps: EngineDeps, rows: readonly MailboxRow[], opts: RunBatchOptions): Promise<BatchReport> {
  const startedAt = new Date().toISOString();
  const passes = new PassSlots(opts.concurrency);
  const turns = new PrepareTurns(opts.concurrency);
  const looks = pLimit(opts.concurrency * LOOK_AHEAD);
  // Waiting: for a look, for a turn to prepare, or prepared for a pass slot.
  const spare = new SpareWorkers(() => looks.pendingCount + turns.pendingCount + passes.pendingCount, opts.concurrency);
  // A cause every mailbox shares (wrong secret, unknown tenant, refused host) stops the batch:
  // mailboxes not yet started are reported BATCH_STOPPED instead of failing one by one.
  let stop: { code: string; message: string } | undefined;
  const notStarted = (row: Pick<MailboxRow, 'sourceEmail' | 'destinationEmail'>): MailboxReport => {
    const error = { code: 'BATCH_STOPPED', message: `not started: the batch stopped on ${stop?.code ?? ''}` };
    return summariseMailbox({ sourceEmail: row.sourceEmail, destinationEmail: row.destinationEmail, startedAt: new Date().toISOString(), folders: [], skippedFolders: [], renamedFolders: [], error });
  };
  const options = (pair: MailboxPair, slot?: HeldSlot): MigrateMailboxOptions => {
    const onPause = opts.onBudgetPause;
    return { retryBaseMs: opts.retryBaseMs, final: opts.final === true, spare, ...(slot ? { slot } : {}), ...(opts.onCopied ? { onCopied: opts.onCopied } : {}), ...(onPause ? { onBudgetPause: (t: string) => onPause(pair, t) } : {}) };
  };
  const one = async (pair: MailboxPair): Promise<MailboxReport> => {
    // The cut-over pass always copies, verifies and closes: nothing to look ahead for.
    if (opts.final) return passes.run((slot) => (stop ? Promise.resolve(notStarted(pair)) : migrateMailbox(deps, pair, options(pair, slot))));
    const ahead = await looks(async () => {
      if (stop) return { report: notStarted(pair) };
      const { report, look } = await lookAhead(deps, pair);
      const ended = (r: MailboxReport): { report: MailboxReport } => {
        // Not awaited: the LOGOUT need not hold up the next look-up.
        void deps.pool.closeMailbox(pair);
        return { report: r };
      };
      if (report) return ended(report);
      // Prepared before a pass slot is free: the set-up round trips (logins, LIST, CREATE, STATUS)
      // overlap the copying of the mailbox whose slot this one takes (prepare-turns.ts).
      const turn = await turns.take();
      const ready = stop ? { report: notStarted(pair) } : await prepareMailboxPass(deps, pair, options(pair), look);
      if ('report' in ready) {
        turn.giveBack();
        return ended(ready.report);
      }
      let started!: () => void;
      const start = new Promise<void>((resolve) => (started = resolve));
      const pass = passes.run(async (slot) => {
        started();
        // A slot handed back for a budget wait frees now: the next mailbox may prepare.
        const held: HeldSlot = { yield: () => (turn.giveBack(), slot.yield()), reclaim: () => slot.reclaim() };
        try {
          // Its source read, the mailbox hands its slot on: its last APPENDs, records and checks
          // overlap the next mailbox's first FETCH, not the batch's idle time.
          return stop ? notStarted(pair) : await copyPreparedMailbox(deps, pair, ready, { ...options(pair, held), onLastFolderStarted: () => turn.giveBack(), onSourceRead: () => held.yield() });
        } finally {
          turn.giveBack();
          void deps.pool.closeMailbox(pair);
        }
      });
      pass.catch(() => undefined); // awaited below, outside the look slot
      await start;
      return { pass };
    });
    return ahead.report ?? (await ahead.pass!);
  };
  const leased = async (row: MailboxRow): Promise<MailboxReport> => {
    if (stop) return notStarted(row);
    const pair = mailboxPair(row);
    const refusedWith = (error: { code: string; message: string }): MailboxReport =>
      summariseMailbox({ sourceEmail: row.sourceEmail, destinationEmail: row.destinationEmail, startedAt: new Date().toISOString(), folders: [], skippedFolders: [], renamedFolders: [], error });
    let lease: Awaited<ReturnType<MailboxLeases['acquire']>> | undefined;
    try {
      lease = await opts.leases?.acquire(pair.key);
    } catch (e) {
      // The lease store unreachable: this pair is not worked on unguarded, and the batch goes on.
      const err = classify(e, 'storage');
      return refusedWith({ code: err.code, message: `the mailbox pair's lease could not be taken: ${err.message}` });
    }
    if (lease && 'refused' in lease) return refusedWith({ code: 'MAILBOX_LEASED', message: lease.refused });
    try {
      return await one(pair);
    } finally {
      await lease?.release().catch(() => undefined); // a lock left behind is stale once this process is gone
    }
  };
  const mailboxes = await Promise.all(
    rows.map(async (row) => {
      const r = await leased(row);
      stop ??= batchWideCause(r);
      opts.onMailboxDone?.(r);
      return r;
    }),
  );
  const report = batchReport(opts.batchId, startedAt, mailboxes);
  return stop ? { ...report, stopped: stop } : report;
}

/** The mailbox's failure, when its cause is one every other mailbox of the batch shares. */
export function batchWideCause(r: MailboxReport): { code: string; message: string } | undefined {
  const errors = [r.error, ...r.folders.map((f) => f.error)];
  return errors.find((e) => e !== undefined && BATCH_WIDE.includes(e.code));
}
