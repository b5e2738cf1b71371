import type { ActivityResult } from '../../shared/contracts/activity-result.js';
import type { ActivityHandlers, ActivityInput, WriteMailboxReportInput } from '../../shared/contracts/activities.js';
import type { MailboxRow } from '../../shared/contracts/mailbox.js';
import { mailboxPair } from '../../shared/contracts/mailbox-pair.js';
import type { MailboxReport } from '../../shared/contracts/report.js';
import { parseMailboxCsv } from '../../shared/domain/csv/parse-mailbox-csv.js';
import type { BlobStore } from '../../shared/adapters/blob/blob-store.js';
import { reportPaths } from '../../shared/engine/batch-ids.js';
import { copyRange } from '../../shared/engine/copy-range.js';
import type { EngineDeps } from '../../shared/engine/engine-deps.js';
import { beginFolderPass, finishFolderPass, planNextRanges } from '../../shared/engine/folder-pass.js';
import { prepareMailbox } from '../../shared/engine/mailbox-pass/prepare-mailbox.js';
import { finishMailboxPass } from '../../shared/engine/mailbox-pass/finish-mailbox-pass.js';
import { folderOutcomeReports } from '../../shared/engine/mailbox-pass/folder-outcome-reports.js';
import { batchReport } from '../../shared/engine/mailbox-pass/batch-report.js';
import { writeBatchReportFiles } from '../../shared/engine/mailbox-pass/batch-report-files.js';
import { cutOverFolder } from '../../shared/engine/cut-over-folder.js';
import { classify } from '../../shared/errors/classify.js';
import { MigrationError } from '../../shared/errors/migration-error.js';
import { describeBatchHolder, type PairLeases } from '../../shared/domain/leases/batch-lease.js';
import { underLease } from './under-lease.js';
import { noNotifier, type Notifier } from '../../shared/adapters/notify/webhook-notifier.js';
import { mailboxFailed, passEnded, worthTelling } from '../../shared/domain/notifications/notification.js';
import { passOfMailboxInstance } from '../../shared/contracts/instance-ids.js';
import { DASHBOARD_ROUTES } from '../../shared/contracts/functions.js';

/** How long the prepare activity spends taking folders' STATUS before it hands the rest to their own passes. */
const PREPARE_STATUS_BUDGET_MS = 60_000;

export interface ActivityDeps {
  engine: EngineDeps;
  blobs: BlobStore;
  reportsContainer: string;
  /** One batch at a time per mailbox pair (the checkpoint table's lease rows). */
  leases: PairLeases;
  /** NOTIFY_WEBHOOK_SECRET_NAME's webhook: told when a mailbox fails and when a pass or the batch ends. */
  notify?: Notifier;
  /** DASHBOARD_URL: where the HTML report links for the live view (default: this app's own page). */
  dashboardUrl?: string;
}

/**
 * Runs an engine call and decides its error where it happens: transient → throw (the
 * orchestrator's RetryOptions retry it), throttled / permanent → a value. Thrown messages are
 * redacted (MigrationError does it) because the host stores them in the task hub in clear.
 */
export async function guarded<T>(fn: () => Promise<T>): Promise<ActivityResult<T>> {
  try {
    return { status: 'ok', value: await fn() };
  } catch (e) {
    const err = classify(e, 'engine');
    // No cause attached on purpose: the host serialises errors into the task hub, and causes may quote credentials.
    // eslint-disable-next-line preserve-caught-error
    if (err.errorClass === 'transient') throw new Error(`${err.code}: ${err.message}`);
    if (err.errorClass === 'throttled') return { status: 'throttled', code: err.code, retryAfterMs: err.retryAfterMs ?? 30_000 };
    return { status: 'permanent', code: err.code, detail: err.message };
  }
}

const csvCache = new Map<string, MailboxRow[]>();

/**
 * Folder activities of a mailbox that a server throttled wait too: the pause is kept in the ledger,
 * so sibling folder orchestrations (on any instance) see it before they send a command.
 */
async function mailboxGate<T>(engine: EngineDeps, mailbox: string, fn: () => Promise<T>): Promise<T> {
  const until = await engine.checkpoints.pausedUntil(mailbox);
  const left = until ? Date.parse(until) - Date.now() : 0;
  if (left > 0) throw new MigrationError('IMAP_THROTTLED', 'throttled', 'this mailbox is sitting out a throttling answer', { retryAfterMs: left });
  try {
    return await fn();
  } catch (e) {
    if (e instanceof MigrationError && e.errorClass === 'throttled' && e.code === 'IMAP_THROTTLED') {
      await engine.checkpoints.pauseMailbox(mailbox, new Date(Date.now() + (e.retryAfterMs ?? 30_000)).toISOString());
    }
    throw e;
  }
}

export type { WriteMailboxReportInput };

/** Activity handlers, built from their dependencies so tests can run them against the lab. */
export function createActivities(deps: ActivityDeps) {
  const { engine, blobs, leases } = deps;
  const notifier = deps.notify ?? noNotifier;
  return {
    readBatchPage: (input: ActivityInput<'readBatchPage'>) =>
      guarded(async () => {
        const key = `${input.csv.container}/${input.csv.blobName}`;
        let rows = csvCache.get(key);
        if (!rows) {
          const buf = await blobs.get(input.csv.container, input.csv.blobName);
          if (!buf) throw new MigrationError('CSV_INVALID', 'permanent', 'the batch CSV blob is gone');
          const parsed = parseMailboxCsv(buf);
          if (!parsed.ok) throw new MigrationError('CSV_INVALID', 'permanent', 'the batch CSV no longer validates');
          rows = parsed.rows;
          if (csvCache.size > 20) csvCache.clear();
          csvCache.set(key, rows);
        }
        return rows.slice(input.offset, input.offset + input.count);
      }),

    prepareMailboxFolders: (input: ActivityInput<'prepareMailboxFolders'>) =>
      guarded(() => {
        const pair = mailboxPair(input);
        return underLease(leases, 'take', pair.key, input.lease, () => prepareMailbox(engine, pair, { refuseClosed: true, statusUntilMs: Date.now() + PREPARE_STATUS_BUDGET_MS }));
      }),

    syncFolderFlags: (input: ActivityInput<'syncFolderFlags'>) => guarded(() => underLease(leases, 'renew', input.ref.mailbox, input.lease, () => mailboxGate(engine, input.ref.mailbox, () => cutOverFolder(engine, input.ref)))),

    beginFolderPass: (input: ActivityInput<'beginFolderPass'>) => guarded(() => underLease(leases, 'renew', input.ref.mailbox, input.lease, () => mailboxGate(engine, input.ref.mailbox, () => beginFolderPass(engine, input.ref)))),

    planFolderRanges: (input: ActivityInput<'planFolderRanges'>) =>
      guarded(() => underLease(leases, 'renew', input.ref.mailbox, input.lease, () => mailboxGate(engine, input.ref.mailbox, () => planNextRanges(engine, input.ref, input.afterUid, input.expect)))),

    copyMessageRange: (input: ActivityInput<'copyMessageRange'>) =>
      guarded(() => underLease(leases, 'renew', input.ref.mailbox, input.lease, () => mailboxGate(engine, input.ref.mailbox, () => copyRange(engine, { ...input.ref, range: input.range })))),

    finishFolderPass: (input: ActivityInput<'finishFolderPass'>) =>
      guarded(() =>
        underLease(leases, 'renew', input.ref.mailbox, input.lease, async () => {
          const r = await finishFolderPass(engine, input.ref, input.start, input.copiedThisPass);
          return { state: r.state, ...(r.repaired ? { repaired: r.repaired } : {}) };
        }),
      ),

    writeMailboxReport: (input: ActivityInput<'writeMailboxReport'>) =>
      guarded(async () => {
        const pair = mailboxPair(input.row);
        // A pass that lost its pair to another batch (its lease lapsed and was taken) neither
        // verifies nor closes the pair: it reports MAILBOX_LEASED. A pass refused at the start
        // has its error already and leaves the lease alone.
        const lost = input.error ? undefined : await leases.renew(pair.key, input.lease);
        const error = lost && !lost.held ? { code: 'MAILBOX_LEASED', message: `mailbox pair ${describeBatchHolder(lost.heldBy)}` } : input.error;
        const folders = await folderOutcomeReports(engine, pair, input.folders);
        // Cut-over: verification runs here so its (possibly long) lists go to the blob, not into history.
        const report = await finishMailboxPass(engine, pair, {
          startedAt: input.startedAt,
          folders,
          skippedFolders: input.prepared?.skipped ?? [],
          renamedFolders: input.prepared?.renamed ?? [],
          ...(input.prepared?.excluded ? { excludedFolders: input.prepared.excluded } : {}),
          ...(input.prepared?.sourceGone ? { sourceFoldersGone: input.prepared.sourceGone } : {}),
          ...(error ? { error } : {}),
          final: input.final,
          // A throttled verification is not a FAIL: the orchestrator waits the suggested time and asks again.
          verify: { handBack: (e) => e.errorClass === 'throttled' },
        });
        await blobs.put(deps.reportsContainer, reportPaths.mailbox(input.batchId, input.row.line), JSON.stringify(report), 'application/json');
        await engine.pool.closeMailbox(pair);
        // Only if still this pass's: a refused pass's release is a no-op.
        await leases.release(pair.key, input.lease);
        // Last, after everything the pass must record: a retry of this activity never tells twice.
        const pass = passOfMailboxInstance(input.lease.instanceId);
        if (worthTelling(report)) await notifier.notify(mailboxFailed(report, { driver: 'functions', batchId: input.batchId, ...(pass ? { pass } : {}), at: new Date() }, input.row.line));
        return {
          line: input.row.line,
          state: report.state,
          copied: report.totals.copied,
          copiedBytes: report.totals.copiedBytes,
          skipped: report.totals.skipped,
          failed: report.totals.failed,
          ...(report.error ? { error: report.error.code } : {}),
          ...(report.verification ? { verification: report.verification.result } : {}),
        };
      }),

    writeBatchReport: (input: ActivityInput<'writeBatchReport'>) =>
      guarded(async () => {
        const names = (await blobs.list(deps.reportsContainer, reportPaths.mailboxPrefix(input.batchId))).sort();
        const mailboxes: MailboxReport[] = [];
        for (const n of names) {
          const b = await blobs.get(deps.reportsContainer, n);
          if (b) mailboxes.push(JSON.parse(b.toString('utf8')) as MailboxReport);
        }
        const report = batchReport(input.batchId, input.startedAt, mailboxes);
        const path = reportPaths.batchJson(input.batchId);
        await writeBatchReportFiles(report, { put: (extension, body, contentType) => blobs.put(deps.reportsContainer, path.replace(/\.json$/, `.${extension}`), body, contentType) }, { url: `${deps.dashboardUrl ?? `/api/${DASHBOARD_ROUTES.page}`}#${input.batchId}:0` });
        if (input.pass !== undefined) await blobs.put(deps.reportsContainer, `${input.batchId}/pass-${input.pass}/report.json`, JSON.stringify(report, null, 2), 'application/json');
        await notifier.notify(passEnded(report, { driver: 'functions', batchId: input.batchId, ...(input.pass !== undefined ? { pass: input.pass } : {}), at: new Date() }, input.final === true));
        return { path };
      }),
  } satisfies ActivityHandlers;
}

export type Activities = ReturnType<typeof createActivities>;
