import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { loadSettings } from '../../shared/config/settings.js';
import type { MailboxReport } from '../../shared/contracts/report.js';
import { createEngine, createMailboxLeases, redactingLogger } from '../../shared/composition/create-engine.js';
import { batchWideCause, closedMailboxes, runBatch } from '../../shared/engine/run-batch.js';
import { writeBatchReportFiles } from '../../shared/engine/mailbox-pass/batch-report-files.js';
import { formatBytes } from '../../shared/domain/reports/format-bytes.js';
import { describeVerification } from './verify.js';
import { redact } from '../../shared/errors/redact.js';
import { terminalSafe } from '../../shared/domain/reports/terminal-text.js';
import { Progress } from '../progress.js';
import { readCliSettings } from '../settings-file.js';
import { budgetPauseLine, describeBudget } from '../../shared/domain/reports/describe-budget.js';
import { writeLogLine } from '../terminal-log.js';
import { UsageError } from '../usage-error.js';
import { refuseForeignReportTargets } from '../report-target.js';
import { loadCsv, positiveInt } from '../csv-input.js';
import { createNotifier } from '../../shared/adapters/notify/webhook-notifier.js';
import { BatchStateWriter } from '../batch-state.js';
import { mailboxFailed, passEnded, worthTelling } from '../../shared/domain/notifications/notification.js';

export interface MigrateOptions {
  csv: string;
  settings?: string;
  concurrency?: string;
  report?: string;
  retryBaseMs?: string;
}

export function describeMailbox(r: MailboxReport): string {
  const t = r.totals;
  const head = `${r.state === 'failed' ? 'FAILED ' : r.state === 'completed' ? 'ok     ' : 'issues '} ${r.sourceEmail} -> ${r.destinationEmail}`;
  const body = `${t.folders} folders, ${t.copiedThisPass} copied now (${t.copied} in all, ${formatBytes(t.copiedBytes)}), ${t.skipped} skipped, ${t.failed} failed`;
  const err = r.error ? `: ${r.error.code} ${r.error.message}` : '';
  const budget = r.byteBudget && r.byteBudget.resumedAt.length > 0 ? `; ${describeBudget(r.byteBudget)}` : '';
  // One line: an error quoting a folder name or a server's answer must not break it or steer the terminal.
  return terminalSafe(redact(`${head}: ${body}${budget}${err}`));
}

/** `migrate` (first or delta pass) and `complete` (cut-over: final pass, flags, verification, close). */
export async function migrateCommand(opts: MigrateOptions, final = false): Promise<number> {
  const settings = loadSettings(readCliSettings(opts.settings, process.env));
  const { rows, hash } = await loadCsv(opts.csv);
  const concurrency = positiveInt('concurrency', opts.concurrency) ?? settings.maxConcurrentMailboxes;
  const retryBaseMs = positiveInt('retry-base-ms', opts.retryBaseMs) ?? 2000;
  const env = readCliSettings(opts.settings, process.env);
  const batchId = `${basename(opts.csv).replace(/[^A-Za-z0-9._-]/g, '_')}-${hash}`;
  const reportPath = opts.report ?? join(settings.stateDir, 'reports', `${batchId}.json`);
  const base = reportPath.replace(/\.json$/i, '');
  if (opts.report) await refuseForeignReportTargets([reportPath, `${base}.csv`, `${base}.html`]);
  const engine = createEngine(settings, env, { log: redactingLogger(writeLogLine) });
  // A cause every mailbox shares is printed once, when the batch has stopped on it, not per mailbox.
  const quiet = (r: MailboxReport): boolean => r.error?.code === 'BATCH_STOPPED' || batchWideCause(r) !== undefined;
  try {
    const closed = await closedMailboxes(engine, rows);
    const list = closed.map((c) => terminalSafe(`  line ${c.row.line}: ${c.row.sourceEmail} -> ${c.row.destinationEmail} was cut over at ${c.closedAt}`));
    if (closed.length > 0 && !final) {
      throw new UsageError(`refused: ${closed.length} mailbox(es) of this CSV were already cut over (mailmig complete); no pass may copy into them again. Remove them from the CSV:\n${list.join('\n')}`);
    }
    // `complete` run again after it closed some pairs (a crash, Ctrl-C): those are done, the rest
    // is cut over now. Nothing is copied into a closed pair; `verify` shows its state.
    const done = new Set(closed.map((c) => c.row));
    const open = rows.filter((r) => !done.has(r));
    if (closed.length > 0) process.stdout.write(`Already cut over, left as they are (run \`mailmig verify\` to compare them again):\n${list.join('\n')}\n`);
    if (open.length === 0) return 0;
    const progress = new Progress(open.length);
    const state = await BatchStateWriter.start(settings.stateDir, batchId, open, final);
    const notifier = createNotifier(settings.notifyWebhookSecretName, engine.secrets, engine.log);
    const pending: Promise<void>[] = [];
    const tell = (r: MailboxReport): void => {
      if (worthTelling(r)) pending.push(notifier.notify(mailboxFailed(r, { driver: 'cli', batchId, at: new Date() })));
    };
    const report = await runBatch(engine, open, {
      batchId,
      final,
      concurrency,
      retryBaseMs,
      onCopied: (n, b) => progress.copied(n, b),
      onBudgetPause: (pair, resumesAt) => progress.note(budgetPauseLine(pair.sourceEmail, resumesAt)),
      onMailboxDone: (r) => {
        tell(r);
        pending.push(state.mailboxDone(r).catch(() => undefined));
        if (quiet(r)) progress.mailboxDone();
        else progress.mailboxDone(describeMailbox(r));
      },
      leases: createMailboxLeases(settings, env, 'auto', engine.log),
    });
    progress.end();
    await mkdir(dirname(reportPath), { recursive: true });
    await writeBatchReportFiles(report, { put: (extension, body) => writeFile(extension === 'json' ? reportPath : `${base}.${extension}`, redact(body)) }, settings.dashboardUrl ? { url: settings.dashboardUrl } : { command: `mailmig status --batch ${batchId}` });
    await Promise.all(pending);
    await state.finish(reportPath);
    await notifier.notify(passEnded(report, { driver: 'cli', batchId, at: new Date() }, final));
    const t = report.totals;
    process.stdout.write(
      `\nBatch ${batchId}: ${t.mailboxes} mailboxes, ${t.completed} completed, ${t.withIssues} with issues, ${t.failed} failed; ` +
        `${t.copied} messages (${formatBytes(t.copiedBytes)}) copied in all, ${t.skipped} skipped, ${t.failedMessages} failed.\nReport: ${reportPath} (also .csv and .html)\n`,
    );
    if (t.archivedOnly) process.stdout.write(`Archived-only messages (All Mail, no other folder): ${t.archivedOnly.copiedThisPass} copied to the archive folder this pass, ${t.archivedOnly.total} there in all (${t.archivedOnly.mailboxes} mailboxes).\n`);
    if (final) {
      const passed = report.mailboxes.filter((m) => m.verification?.result === 'PASS').length;
      process.stdout.write(`Cut-over: verification PASS for ${passed} of ${report.mailboxes.length} mailboxes; those are closed to further passes.\n`);
    }
    if (report.stopped) {
      const untouched = report.mailboxes.filter((m) => m.error?.code === 'BATCH_STOPPED').length;
      const hit = report.mailboxes.filter((m) => batchWideCause(m)?.code === report.stopped?.code).length;
      process.stdout.write(redact(`\nBatch stopped: ${report.stopped.code} ${report.stopped.message}\nEvery mailbox would fail the same way: ${hit} failed on it, ${untouched} not started. Fix the setting named above and run the same command again.\n`));
    }
    for (const m of report.mailboxes) {
      if (report.stopped && (m.error?.code === 'BATCH_STOPPED' || batchWideCause(m)?.code === report.stopped.code)) continue;
      process.stdout.write(`${describeMailbox(m)}\n`);
      if (m.verification) process.stdout.write(`${describeVerification(m.verification)}\n`);
    }
    return t.failed > 0 ? 1 : 0;
  } finally {
    await engine.close();
  }
}
