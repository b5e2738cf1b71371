import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import pLimit from 'p-limit';
import { loadSettings } from '../../shared/config/settings.js';
import { mailboxPair } from '../../shared/contracts/mailbox-pair.js';
import type { MailboxVerification } from '../../shared/contracts/verification.js';
import { createEngine, redactingLogger } from '../../shared/composition/create-engine.js';
import { verifyMailbox } from '../../shared/engine/verify-mailbox.js';
import { redact } from '../../shared/errors/redact.js';
import { readCliSettings } from '../settings-file.js';
import { loadCsv, positiveInt } from '../csv-input.js';

export interface VerifyOptions {
  csv: string;
  settings?: string;
  concurrency?: string;
  report?: string;
}

export function describeVerification(v: MailboxVerification): string {
  const lines = [`${v.result} ${v.sourceEmail} -> ${v.destinationEmail}${v.error ? `: ${v.error.code} ${v.error.message}` : ''}`];
  for (const f of v.folders) {
    if (f.result === 'PASS' && f.accounted.length === 0) continue;
    lines.push(`  ${f.result} "${f.sourcePath}" (${f.identity}): source ${f.sourceCount}, destination ${f.destinationCount}; missing ${f.missing.length}, duplicated ${f.duplicated.length}, extra ${f.extra.length}, skipped/failed earlier ${f.accounted.length}`);
    for (const m of f.missing.slice(0, 10)) lines.push(`    missing UID ${m.uid}${m.messageId ? ` <${m.messageId}>` : ''}${m.subject ? ` "${m.subject}"` : ''}`);
    for (const m of f.duplicated.slice(0, 10)) lines.push(`    duplicated${m.messageId ? ` <${m.messageId}>` : ''}${m.subject ? ` "${m.subject}"` : ''}`);
  }
  return redact(lines.join('\n'));
}

/** Compares every mapped folder of every mailbox, source against destination; exit 1 on any FAIL. */
export async function verifyCommand(opts: VerifyOptions): Promise<number> {
  const env = readCliSettings(opts.settings, process.env);
  const settings = loadSettings(env);
  const { rows, hash } = await loadCsv(opts.csv);
  const engine = createEngine(settings, env, { log: redactingLogger((l) => process.stderr.write(`${l}\n`)) });
  try {
    const limit = pLimit(positiveInt('concurrency', opts.concurrency) ?? settings.maxConcurrentMailboxes);
    const results = await Promise.all(rows.map((r) => limit(() => verifyMailbox(engine, mailboxPair(r)))));
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
