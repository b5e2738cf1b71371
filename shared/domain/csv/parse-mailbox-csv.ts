import type { CsvParseResult, CsvProblem } from '../../contracts/mailbox.js';
import { checkMailboxRows } from './check-mailbox-rows.js';
import { detectCsvLayout } from './csv-layout.js';
import { decodeCsvText, wholeFileProblem } from './decode-csv-text.js';
import { capProblems } from './problem-list.js';
import { readCsvRecords } from './read-csv-records.js';
import { resolveColumns } from './resolve-columns.js';

/** Exchange's own migration batch limit; no batch of ours is larger. */
export const DEFAULT_MAX_ROWS = 50_000;

export interface ParseMailboxCsvOptions {
  /** Most data rows accepted (default 50,000); a larger file is rejected as a whole. */
  maxRows?: number;
}

/**
 * Validates a whole mailbox CSV and returns every row, or every problem (capped, see
 * capProblems) and no rows: a batch never starts from a partly valid file.
 * Never throws on any input; throws RangeError only for invalid options.
 */
export function parseMailboxCsv(input: string | Uint8Array, opts: ParseMailboxCsvOptions = {}): CsvParseResult {
  const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
  if (!Number.isSafeInteger(maxRows) || maxRows < 1) {
    throw new RangeError(`parseMailboxCsv: maxRows must be a positive integer, got ${String(opts.maxRows)}`);
  }

  const decoded = decodeCsvText(input);
  if (!decoded.ok) return failed([decoded.problem]);
  // csv-parse counts CR and LF of a CRLF inside a quoted field as two lines; with LF only,
  // its line numbers are the physical lines an editor shows.
  const text = decoded.text.replace(/\r\n?/g, '\n');
  const layout = detectCsvLayout(text.split('\n'));
  if (layout === undefined) return failed([wholeFileProblem('file is empty')]);

  const { records, problems: syntaxProblems } = readCsvRecords(text, layout.delimiter, layout.headerLine);
  const [header, ...allData] = records;
  if (header === undefined) return failed(syntaxProblems.length > 0 ? syntaxProblems : [wholeFileProblem('file is empty')]);
  const columns = resolveColumns(header.fields, header.line, layout.hasTypeLine);
  if (!columns.ok) return failed([...columns.problems, ...syntaxProblems]);

  // Excel writes rows of bare separators (`;;`) for formatted but empty rows: blank lines too.
  const data = allData.filter((record) => !record.blank);
  if (data.length > maxRows) {
    return failed([wholeFileProblem(`file has ${data.length} mailbox rows; at most ${maxRows} are accepted per batch: split it`)]);
  }
  if (data.length === 0 && syntaxProblems.length === 0) {
    return failed([wholeFileProblem('file has a header but no mailbox rows')]);
  }

  const { rows, problems } = checkMailboxRows(data, columns.layout);
  const all = [...syntaxProblems, ...problems];
  if (all.length > 0) return failed(all);
  return { ok: true, rows, warnings: [...decoded.warnings, ...columns.warnings] };
}

function failed(problems: CsvProblem[]): CsvParseResult {
  return { ok: false, problems: capProblems(problems) };
}
