import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadSettings } from '../../shared/config/settings.js';
import { createEngine, redactingLogger } from '../../shared/composition/create-engine.js';
import { preflightBatch, type MailboxPreflight, type PreflightCheck } from '../../shared/engine/preflight/index.js';
import { formatMessageSize as mb } from '../../shared/domain/reports/format-bytes.js';
import { redact } from '../../shared/errors/redact.js';
import { terminalSafe } from '../../shared/domain/reports/terminal-text.js';
import { readCliSettings } from '../settings-file.js';
import { writeLogLine } from '../terminal-log.js';
import { refuseForeignReportTargets } from '../report-target.js';
import { UsageError } from '../usage-error.js';
import { loadCsv, positiveInt } from '../csv-input.js';

export interface PreflightCommandOptions {
  csv: string;
  settings?: string;
  concurrency?: string;
  report?: string;
  /** Minutes an IMAP login refusal is retried; overrides AUTH_PROPAGATION_WINDOW_MINUTES. */
  propagationWindow?: string;
}


const CONTROL_CHECKS: ReadonlySet<string> = new Set(['folder-filter', 'date-window', 'bandwidth', 'byte-budget', 'cut-over-deletions']);

function describeCheck(c: PreflightCheck): string[] {
  const where = c.side ? ` (${c.side})` : '';
  // Details quote folder names and server answers: mailbox text, made safe line by line.
  const lines = [`  ${c.status.toUpperCase()} ${c.id}${where}: ${terminalSafe(c.detail)}`];
  if (c.cause) lines.push(`      cause: ${terminalSafe(c.cause)}`);
  if (c.fix) lines.push(`      fix:   ${c.fix.split('\n').map(terminalSafe).join('\n             ')}`);
  return lines;
}

/** PASS/FAIL per mailbox, then every failed or warning check with its cause and fix. */
export function describePreflight(m: MailboxPreflight): string {
  const s = m.stats;
  const counts = s ? ` (${s.folders} folders, ${s.messages} messages, ${mb(s.bytes)}${s.messages > 0 ? `, largest ${mb(s.largestMessageBytes)}` : ''})` : '';
  const warnings = m.checks.filter((c) => c.status === 'warn').length;
  const head = `${m.ok ? 'PASS' : 'FAIL'} ${m.sourceEmail} -> ${m.destinationEmail}${counts}${warnings > 0 ? `, ${warnings} warning(s)` : ''}`;
  // The controls' checks say what the migration will leave out or how it paces: shown even when they pass.
  const notable = m.checks.filter((c) => c.status === 'fail' || c.status === 'warn' || CONTROL_CHECKS.has(c.id));
  return redact([head, ...notable.flatMap(describeCheck)].join('\n'));
}

function windowMinutes(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) > 24 * 60) throw new UsageError('--propagation-window must be a whole number of minutes from 0 to 1440');
  return Number(v);
}

/**
 * Checks every mailbox of a CSV without copying anything: credentials, tokens, logins, sizes,
 * folder names. Exit 0 when all pass (warnings allowed), 1 when any fails, 2 on bad input.
 */
export async function preflightCommand(opts: PreflightCommandOptions): Promise<number> {
  const env = readCliSettings(opts.settings, process.env);
  const settings = loadSettings(env);
  const { rows, hash } = await loadCsv(opts.csv);
  const concurrency = positiveInt('concurrency', opts.concurrency) ?? settings.maxConcurrentMailboxes;
  const minutes = windowMinutes(opts.propagationWindow);
  if (opts.report) await refuseForeignReportTargets([opts.report]);
  const engine = createEngine(settings, env, { log: redactingLogger(writeLogLine), state: 'file' });
  try {
    const report = await preflightBatch(engine, rows, {
      concurrency,
      ...(minutes !== undefined ? { propagationWindowMs: minutes * 60_000 } : {}),
      onMailboxDone: (m) => process.stdout.write(`${describePreflight(m)}\n`),
    });
    const path = opts.report ?? join(settings.stateDir, 'reports', `preflight-${hash}.json`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, redact(JSON.stringify(report, null, 2)));
    const t = report.totals;
    process.stdout.write(`\n${t.passed} PASS (${t.withWarnings} with warnings), ${t.failed} FAIL. Report: ${path}\n`);
    return t.failed > 0 ? 1 : 0;
  } finally {
    await engine.close();
  }
}
