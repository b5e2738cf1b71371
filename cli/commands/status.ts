import { hostname } from 'node:os';
import pLimit from 'p-limit';
import { loadSettings } from '../../shared/config/settings.js';
import { createCheckpointStore } from '../../shared/composition/create-engine.js';
import { mailboxPair } from '../../shared/contracts/mailbox-pair.js';
import type { CheckpointStore } from '../../shared/domain/checkpoints/checkpoint-store.js';
import { countMailboxes, mailboxProgress, type BatchProgress, type MailboxFacts, type ProgressView } from '../../shared/domain/dashboard/progress-view.js';
import { renderProgressText } from '../../shared/domain/dashboard/progress-text.js';
import { isAlive } from '../../shared/adapters/state/process-alive.js';
import { readBatchRecords, readMailboxReport, type CliBatchRecord } from '../batch-state.js';
import { positiveInt } from '../csv-input.js';
import { readCliSettings } from '../settings-file.js';
import { budgetFacts } from '../../shared/engine/budget-facts.js';
import type { Settings } from '../../shared/config/settings.js';
import { UsageError } from '../usage-error.js';

export interface StatusOptions {
  settings?: string;
  batch?: string;
  offset?: string;
  limit?: string;
  json?: boolean;
}

/** Newest runs shown when no --batch is given. */
const BATCHES_SHOWN = 10;
const READS_AT_ONCE = 8;

/** A run whose process is gone without having finished was interrupted (Ctrl-C, a crash). */
function runState(r: CliBatchRecord): 'running' | 'finished' | 'interrupted' {
  if (r.finishedAt) return 'finished';
  // A run on another host (a shared STATE_DIR) cannot be checked from here: taken as running.
  return r.host !== hostname() || isAlive(r.pid) ? 'running' : 'interrupted';
}

async function batchProgress(settings: Settings, ledger: CheckpointStore, r: CliBatchRecord, offset: number, limit: number): Promise<BatchProgress> {
  const stateDir = settings.stateDir;
  const state = runState(r);
  const read = pLimit(READS_AT_ONCE);
  const rows = r.rows.slice(offset, offset + limit);
  const mailboxes = await Promise.all(
    rows.map((row) =>
      read(async () => {
        const report = await readMailboxReport(stateDir, r.id, row.line);
        // A report older than this run is the last run's: this run has not finished the mailbox yet.
        if (report && report.finishedAt >= r.startedAt) return mailboxProgress({ row, run: 'finished', report });
        const checkpoints = await ledger.list(mailboxPair(row).key);
        const touched = checkpoints.some((c) => c.updatedAt >= r.startedAt);
        const run: MailboxFacts['run'] = state === 'interrupted' ? 'interrupted' : touched ? 'running' : 'not-started';
        const budget = run === 'running' ? await budgetFacts({ settings }, ledger, row) : undefined;
        return mailboxProgress({ row, run, checkpoints, ...(report ? { report } : {}), ...(budget ? { budget } : {}) });
      }),
    ),
  );
  // The whole batch's counts when the page is the whole batch; else this page's.
  return {
    id: r.id,
    status: state,
    phase: null,
    pass: null,
    mode: r.final ? 'final' : 'copy',
    total: r.rows.length,
    startedAt: r.startedAt,
    counts: countMailboxes(mailboxes),
    offset,
    mailboxes,
    reportUrl: r.reportPath ?? null,
  };
}

/** `mailmig status`: the live view of this machine's runs (STATE_DIR), as the app's dashboard shows its batches. */
export async function statusCommand(opts: StatusOptions): Promise<number> {
  const env = readCliSettings(opts.settings, process.env);
  const settings = loadSettings(env);
  const offset = opts.offset === undefined ? 0 : opts.offset === '0' ? 0 : (positiveInt('offset', opts.offset) ?? 0);
  const limit = positiveInt('limit', opts.limit) ?? 50;
  let records = await readBatchRecords(settings.stateDir);
  if (opts.batch !== undefined) {
    records = records.filter((r) => r.id === opts.batch);
    if (records.length === 0) throw new UsageError(`no run of batch ${opts.batch} in ${settings.stateDir}; \`mailmig status\` lists them`);
  }
  const ledger = createCheckpointStore(settings, env);
  try {
    const batches: BatchProgress[] = [];
    for (const r of records.slice(0, opts.batch ? 1 : BATCHES_SHOWN)) batches.push(await batchProgress(settings, ledger, r, offset, limit));
    const view: ProgressView = { generatedAt: new Date().toISOString(), batches };
    process.stdout.write(opts.json ? `${JSON.stringify(view, null, 2)}\n` : renderProgressText(view));
    return 0;
  } finally {
    await ledger.close?.();
  }
}
