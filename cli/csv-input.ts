import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { MailboxRow } from '../shared/contracts/mailbox.js';
import { parseMailboxCsv } from '../shared/domain/csv/parse-mailbox-csv.js';
import { UsageError } from './usage-error.js';

/** The CSV and numeric options every command takes: all problems named by line and field, nothing started. */
export async function loadCsv(path: string): Promise<{ rows: MailboxRow[]; hash: string }> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch {
    throw new UsageError(`CSV file ${path} cannot be read`);
  }
  const parsed = parseMailboxCsv(buf);
  if (!parsed.ok) {
    const lines = parsed.problems.map((p) => `  ${basename(path)} line ${p.line}${p.field ? `, field ${p.field}` : ''}: ${p.message}`);
    throw new UsageError(`CSV ${path} is invalid; nothing was started:\n${lines.join('\n')}`);
  }
  for (const w of parsed.warnings) process.stderr.write(`warning: ${basename(path)} line ${w.line}${w.field ? `, field ${w.field}` : ''}: ${w.message}\n`);
  return { rows: parsed.rows, hash: createHash('sha256').update(buf).digest('hex').slice(0, 16) };
}

export function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--${name} must be a whole number of at least 1`);
  return Number(v);
}
