import { readFile, stat } from 'node:fs/promises';
import { UsageError } from './usage-error.js';

/**
 * `--report FILE` writes where the admin says, so a slip of the keyboard (`--report batch.csv`,
 * or `--report batch.json` whose `.csv` rendering lands on the input CSV) would replace a file
 * we never wrote. A target may be written when it does not exist or when it is a mailmig report
 * already (the same command run again). Our files are recognised by what they always hold, so
 * reports written before this check are recognised too and no format changes:
 * - JSON: a batch report (`batchId`, `mailboxes`, `totals`), a preflight report (`startedAt`,
 *   `mailboxes`, `totals`) or a verification (an array of `{sourceEmail, destinationEmail,
 *   result, folders}`);
 * - CSV: our header line; HTML: our title.
 */
export async function refuseForeignReportTargets(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    const found = await stat(path).catch(() => undefined);
    if (!found) continue;
    if (found.isFile() && isMailmigReport(await readFile(path, 'utf8'))) continue;
    throw new UsageError(`refused: ${path} exists and is not a mailmig report; --report never replaces a file it did not write. Choose another file name, or move that file away. Nothing was done.`);
  }
}

const CSV_HEADER = 'SourceEmail,DestinationEmail,MailboxState,Folder,';
const HTML_TITLE = '<title>Migration report ';

export function isMailmigReport(text: string): boolean {
  if (text.startsWith(CSV_HEADER)) return true;
  if (text.startsWith('<!doctype html>') && text.includes(HTML_TITLE)) return true;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  if (Array.isArray(parsed)) return parsed.every(isVerification);
  if (!isObject(parsed) || !Array.isArray(parsed.mailboxes) || !isObject(parsed.totals)) return false;
  return typeof parsed.batchId === 'string' || typeof parsed.startedAt === 'string';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isVerification(v: unknown): boolean {
  return isObject(v) && typeof v.sourceEmail === 'string' && typeof v.destinationEmail === 'string' && (v.result === 'PASS' || v.result === 'FAIL') && Array.isArray(v.folders);
}
