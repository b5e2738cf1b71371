import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import pLimit from 'p-limit';
import { loadSettings } from '../../shared/config/settings.js';
import { mailboxPair } from '../../shared/contracts/mailbox-pair.js';
import type { MailboxVerification, MessageRef } from '../../shared/contracts/verification.js';
import { terminalSafe } from '../../shared/domain/reports/terminal-text.js';
import { ThrottleGate, withRetry } from '../../shared/engine/retry.js';
import { createEngine, redactingLogger } from '../../shared/composition/create-engine.js';
import { verifyMailbox } from '../../shared/engine/verify-mailbox.js';
import { redact } from '../../shared/errors/redact.js';
import { readCliSettings } from '../settings-file.js';
import { writeLogLine } from '../terminal-log.js';
import { refuseForeignReportTargets } from '../report-target.js';
import { loadCsv, positiveInt } from '../csv-input.js';

const RETRY_BASE_MS = 2000;

export interface VerifyOptions {
  csv: string;
  settings?: string;
  concurrency?: string;
  report?: string;
}

/** How many of each list are printed; the report holds up to 200, the counts are exact. */
const SHOWN = 10;

/** A Message-ID as the header holds it, with or without its angle brackets, shown once bracketed. */
function bracketed(messageId: string): string {
  return `<${messageId.trim().replace(/^<|>$/g, '')}>`;
}

/** Missing messages are named by their source UID; duplicated and extra ones are at the destination. */
function describeRef(what: string, m: MessageRef): string {
  return `    ${what}${what === 'missing' ? ` UID ${m.uid}` : ''}${m.messageId ? ` ${terminalSafe(bracketed(m.messageId))}` : ''}${m.subject ? ` "${terminalSafe(m.subject)}"` : ''}`;
}

/** The first few of a list, and how many more there are (the count, not the capped list's length). */
function describeRefs(what: string, refs: readonly MessageRef[], count: number): string[] {
  const lines = refs.slice(0, SHOWN).map((m) => describeRef(what, m));
  if (count > lines.length) lines.push(`    … and ${count - lines.length} more ${what} (see the report)`);
  return lines;
}

export function describeVerification(v: MailboxVerification): string {
  const lines = [`${v.result} ${v.sourceEmail} -> ${v.destinationEmail}${v.error ? `: ${v.error.code} ${terminalSafe(v.error.message)}` : ''}`];
  for (const f of v.folders) {
    const c = f.counts;
    if (f.result === 'PASS' && c.accounted === 0 && c.extra === 0) continue;
    lines.push(`  ${f.result} "${terminalSafe(f.sourcePath)}" (${f.identity}): source ${f.sourceCount}, destination ${f.destinationCount}; missing ${c.missing}, duplicated ${c.duplicated}, extra ${c.extra}, skipped/failed earlier ${c.accounted}`);
    lines.push(...describeRefs('missing', f.missing, c.missing));
    lines.push(...describeRefs('duplicated', f.duplicated, c.duplicated));
    lines.push(...describeRefs('extra', f.extra, c.extra));
  }
  for (const o of v.orphanFolders ?? []) lines.push(`  destination folder "${terminalSafe(o.destinationPath)}" holds ${o.messages} message(s) and no source folder maps to it (deleted or renamed at the source?)`);
  return redact(lines.join('\n'));
}

/** Compares every mapped folder of every mailbox, source against destination; exit 1 on any FAIL. */
export async function verifyCommand(opts: VerifyOptions): Promise<number> {
  const env = readCliSettings(opts.settings, process.env);
  const settings = loadSettings(env);
  const { rows, hash } = await loadCsv(opts.csv);
  if (opts.report) await refuseForeignReportTargets([opts.report]);
  const engine = createEngine(settings, env, { log: redactingLogger(writeLogLine) });
  try {
    const limit = pLimit(positiveInt('concurrency', opts.concurrency) ?? settings.maxConcurrentMailboxes);
    const results = await Promise.all(
      rows.map((r) =>
        limit(() => {
          // As `migrate` does: throttling is waited out (the whole mailbox pauses), transient errors retried.
          const gate = new ThrottleGate();
          const attempt = <T>(fn: () => Promise<T>): Promise<T> =>
            withRetry(fn, { baseDelayMs: RETRY_BASE_MS, gate, onRetry: (e, n, ms) => engine.log.warn(`${r.sourceEmail}: verify: ${e.code}, retry ${n} in ${ms} ms`) });
          return verifyMailbox(engine, mailboxPair(r), { attempt });
        }),
      ),
    );
    for (const v of results) process.stdout.write(`${describeVerification(v)}\n`);
    const path = opts.report ?? join(settings.stateDir, 'reports', `verify-${hash}.json`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, redact(JSON.stringify(results, null, 2)));
    const failed = results.filter((v) => v.result === 'FAIL').length;
    process.stdout.write(`\n${results.length - failed} PASS, ${failed} FAIL. Report: ${path}\n`);
    return failed > 0 ? 1 : 0;
  } finally {
    await engine.close();
  }
}
