import type { InvocationContext } from '@azure/functions';
import type { ActivityResult } from '../../shared/contracts/activity-result.js';
import type { MailboxRow } from '../../shared/contracts/mailbox.js';
import type { CsvRef, FolderOutcome, MailboxSummary } from '../../shared/contracts/orchestration.js';
import type { FolderReport, MailboxReport, RenamedFolder, SkippedFolder } from '../../shared/contracts/report.js';
import type { UidRange } from '../../shared/domain/ranges/range-planner.js';
import { parseMailboxCsv } from '../../shared/domain/csv/parse-mailbox-csv.js';
import type { BlobStore } from '../../shared/adapters/blob/blob-store.js';
import { reportPaths } from '../../shared/engine/batch-ids.js';
import { copyRange, type CopyRangeResult } from '../../shared/engine/copy-range.js';
import type { EngineDeps } from '../../shared/engine/engine-deps.js';
import { beginFolderPass, finishFolderPass, folderRef, folderStatuses, folderReport, planNextRanges, type FolderPassStart, type FolderRef } from '../../shared/engine/folder-pass.js';
import type { FolderPlanPage } from '../../shared/engine/plan-folder.js';
import { prepareFolders, type PreparedFolders } from '../../shared/engine/prepare-folders.js';
import { batchReport } from '../../shared/engine/run-batch.js';
import { summariseMailbox } from '../../shared/engine/summarise.js';
import { syncFolderFlags, type FlagSyncResult } from '../../shared/engine/sync-flags.js';
import { verifyMailbox } from '../../shared/engine/verify-mailbox.js';
import { mailboxKey } from '../../shared/domain/checkpoints/checkpoint-store.js';
import { renderReportCsv } from '../../shared/domain/reports/report-csv.js';
import { renderReportHtml } from '../../shared/domain/reports/report-html.js';
import { classify } from '../../shared/errors/classify.js';
import { MigrationError } from '../../shared/errors/migration-error.js';

/** How long the prepare activity spends taking folders' STATUS before it hands the rest to their own passes. */
const PREPARE_STATUS_BUDGET_MS = 60_000;

export interface ActivityDeps {
  engine: EngineDeps;
  blobs: BlobStore;
  reportsContainer: string;
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
    const err = e instanceof MigrationError ? e : classify(e, 'source');
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

export interface WriteMailboxReportInput {
  batchId: string;
  row: MailboxRow;
  startedAt: string;
  prepared?: { skipped: SkippedFolder[]; renamed: RenamedFolder[] };
  folders: FolderOutcome[];
  error?: { code: string; message: string };
  final: boolean;
}

/** Activity handlers, built from their dependencies so tests can run them against the lab. */
export function createActivities(deps: ActivityDeps) {
  const { engine, blobs } = deps;
  return {
    readBatchPage: (input: { csv: CsvRef; offset: number; count: number }): Promise<ActivityResult<MailboxRow[]>> =>
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

    prepareMailboxFolders: (input: { sourceEmail: string; destinationEmail: string }): Promise<ActivityResult<PreparedFolders>> =>
      guarded(async () => {
        const closedAt = await engine.checkpoints.closedAt(mailboxKey(input.sourceEmail, input.destinationEmail));
        if (closedAt) throw new MigrationError('MAILBOX_CLOSED', 'permanent', `this mailbox pair was cut over at ${closedAt}; no pass may copy into it again`);
        const prepared = await prepareFolders(engine, input.sourceEmail, input.destinationEmail);
        // One STATUS per folder on one session, pipelined: the orchestrator sizes the mailbox's
        // parallelism from them, and each folder's pass starts from its own (no second STATUS).
        // Bounded in time: a mailbox of thousands of folders on a distant server leaves the rest
        // to the folders' own passes rather than holding the activity.
        const mailbox = mailboxKey(input.sourceEmail, input.destinationEmail);
        const known = await folderStatuses(engine, input.sourceEmail, prepared.folders.map((t) => t.sourcePath), Date.now() + PREPARE_STATUS_BUDGET_MS);
        for (const task of prepared.folders) {
          const status = known.get(task.sourcePath);
          if (!status) continue; // asked again, and a failure reported, by the folder's own pass
          const start = await beginFolderPass(engine, folderRef(mailbox, input.sourceEmail, input.destinationEmail, task), status).catch(() => undefined);
          if (start) task.start = start;
        }
        return prepared;
      }),

    syncFolderFlags: (input: { ref: FolderRef }): Promise<ActivityResult<FlagSyncResult>> => guarded(() => mailboxGate(engine, input.ref.mailbox, () => syncFolderFlags(engine, input.ref))),

    beginFolderPass: (input: { ref: FolderRef }): Promise<ActivityResult<FolderPassStart>> => guarded(() => mailboxGate(engine, input.ref.mailbox, () => beginFolderPass(engine, input.ref))),

    planFolderRanges: (input: { ref: FolderRef; afterUid: number }): Promise<ActivityResult<FolderPlanPage>> =>
      guarded(() => mailboxGate(engine, input.ref.mailbox, () => planNextRanges(engine, input.ref, input.afterUid))),

    copyMessageRange: (input: { ref: FolderRef; range: UidRange }): Promise<ActivityResult<CopyRangeResult>> =>
      guarded(() => mailboxGate(engine, input.ref.mailbox, () => copyRange(engine, { ...input.ref, range: input.range }))),

    finishFolderPass: (input: { ref: FolderRef; start: FolderPassStart; copiedThisPass: number }): Promise<ActivityResult<{ state: FolderReport['state'] }>> =>
      guarded(async () => ({ state: (await finishFolderPass(engine, input.ref, input.start, input.copiedThisPass)).state })),

    writeMailboxReport: (input: WriteMailboxReportInput): Promise<ActivityResult<MailboxSummary>> =>
      guarded(async () => {
        const mailbox = mailboxKey(input.row.sourceEmail, input.row.destinationEmail);
        const cps = await engine.checkpoints.list(mailbox);
        const folders: FolderReport[] = input.folders.map((f) => {
          const ref: FolderRef = { mailbox, sourceEmail: input.row.sourceEmail, destinationEmail: input.row.destinationEmail, sourcePath: f.sourcePath, destinationPath: f.destinationPath };
          const cp = cps.find((c) => c.sourcePath === f.sourcePath);
          const r = folderReport(ref, cp, f.state, cp?.lastStatus?.messages ?? 0, f.copiedThisPass, f.error);
          if (f.flagsChanged !== undefined) r.flagsChanged = f.flagsChanged;
          return r;
        });
        // Cut-over: verification runs here so its (possibly long) lists go to the blob, not into history.
        const verification = input.final && !input.error ? await verifyMailbox(engine, input.row.sourceEmail, input.row.destinationEmail) : undefined;
        const report = summariseMailbox({
          sourceEmail: input.row.sourceEmail,
          destinationEmail: input.row.destinationEmail,
          startedAt: input.startedAt,
          folders,
          skippedFolders: input.prepared?.skipped ?? [],
          renamedFolders: input.prepared?.renamed ?? [],
          ...(input.error ? { error: input.error } : {}),
          ...(verification ? { verification } : {}),
        });
        if (input.final && report.state !== 'failed') await engine.checkpoints.markClosed(mailbox, report.finishedAt);
        await blobs.put(deps.reportsContainer, reportPaths.mailbox(input.batchId, input.row.line), JSON.stringify(report), 'application/json');
        await engine.pool.closeMailbox(input.row.sourceEmail, input.row.destinationEmail);
        return {
          line: input.row.line,
          state: report.state,
          copied: report.totals.copied,
          copiedBytes: report.totals.copiedBytes,
          skipped: report.totals.skipped,
          failed: report.totals.failed,
          ...(report.error ? { error: report.error.code } : {}),
          ...(verification ? { verification: verification.result } : {}),
        };
      }),

    writeBatchReport: (input: { batchId: string; startedAt: string; pass?: number; final?: boolean }): Promise<ActivityResult<{ path: string }>> =>
      guarded(async () => {
        const names = (await blobs.list(deps.reportsContainer, reportPaths.mailboxPrefix(input.batchId))).sort();
        const mailboxes: MailboxReport[] = [];
        for (const n of names) {
          const b = await blobs.get(deps.reportsContainer, n);
          if (b) mailboxes.push(JSON.parse(b.toString('utf8')) as MailboxReport);
        }
        const report = batchReport(input.batchId, input.startedAt, mailboxes);
        const path = reportPaths.batchJson(input.batchId);
        const verification = new Map(mailboxes.filter((m) => m.verification).map((m) => [m.sourceEmail.toLowerCase(), m.verification!.result]));
        await blobs.put(deps.reportsContainer, path, JSON.stringify(report, null, 2), 'application/json');
        await blobs.put(deps.reportsContainer, path.replace(/\.json$/, '.csv'), renderReportCsv(report, verification), 'text/csv; charset=utf-8');
        await blobs.put(deps.reportsContainer, path.replace(/\.json$/, '.html'), renderReportHtml(report, verification), 'text/html; charset=utf-8');
        if (input.pass !== undefined) await blobs.put(deps.reportsContainer, `${input.batchId}/pass-${input.pass}/report.json`, JSON.stringify(report, null, 2), 'application/json');
        return { path };
      }),
  } satisfies Record<string, (input: never, ctx?: InvocationContext) => Promise<unknown>>;
}

export type Activities = ReturnType<typeof createActivities>;
