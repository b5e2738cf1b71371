import { parse } from 'csv-parse/sync';
import type { CsvError } from 'csv-parse/sync';
import type { CsvProblem } from '../../contracts/mailbox.js';
import type { CsvDelimiter } from './csv-layout.js';

/** One CSV record (the header included) with the physical line it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
  /** Only separators and whitespace, no quotes: what Excel writes for formatted empty rows. */
  blank: boolean;
}

export interface CsvRecords {
  records: CsvRecord[];
  /** Syntax problems (unclosed quotes ...): the parser skips such a record and reads on. */
  problems: CsvProblem[];
}

/**
 * Parses `text` (line endings already normalised to LF) from physical line `fromLine` on.
 * Field values are trimmed, quoted or not; whitespace-only lines are skipped.
 */
export function readCsvRecords(text: string, delimiter: CsvDelimiter, fromLine: number): CsvRecords {
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  try {
    parse(text, {
      delimiter,
      from_line: fromLine,
      raw: true,
      trim: true,
      skip_empty_lines: true,
      // Field-count and quote mistakes are reported by us, with the column name and line,
      // instead of aborting the whole parse at the first one.
      relax_column_count: true,
      relax_quotes: true,
      skip_records_with_error: true,
      on_skip: (error, raw) => {
        if (error) problems.push({ line: startLine(errorLine(error), raw), field: '', message: describe(error) });
        return undefined;
      },
      on_record: (record, context) => {
        const raw = context.raw ?? '';
        records.push({
          line: startLine(context.lines, raw),
          fields: fieldsOf(record).map((field) => field.trim()),
          blank: raw.split(delimiter).every((part) => part.trim() === ''),
        });
        return null;
      },
    });
  } catch (error) {
    // Not expected with skip_records_with_error, but the intake must report, never throw.
    const csvError: Partial<CsvError> = typeof error === 'object' && error !== null ? error : {};
    problems.push({ line: Math.max(0, errorLine(csvError)), field: '', message: describe(csvError) });
  }
  return { records, problems };
}

/**
 * With `raw: true` csv-parse hands on_record `{ record, raw }`, although its types say string[]
 * (we need raw for the line numbers of skipped records too). Accept both shapes.
 */
function fieldsOf(record: unknown): string[] {
  const fields: unknown =
    typeof record === 'object' && record !== null && !Array.isArray(record) && 'record' in record ? record.record : record;
  return Array.isArray(fields) ? fields.map((field) => String(field)) : [];
}

/**
 * csv-parse counts `lines` up to where the record (or error) ends; the raw text of the record
 * tells how many line breaks it spans. Raw text can begin with skipped blank lines and ends
 * with the record's own line break, hence the trim.
 */
function startLine(endLine: number, raw: string | undefined): number {
  const spanned = raw === undefined ? 0 : raw.trim().split('\n').length - 1;
  return Math.max(1, endLine - spanned);
}

function errorLine(error: Partial<CsvError>): number {
  return typeof error.lines === 'number' ? error.lines : 0;
}

function describe(error: Partial<CsvError>): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field starting on this line is never closed: a closing " is missing';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'text after a closing quote: quote the whole field and write any " inside it as ""';
    case 'CSV_MAX_RECORD_SIZE':
      return 'record is too long: probably a quote is never closed or the separator is wrong';
    default:
      return `CSV syntax error: ${error.message ?? 'unknown'}`;
  }
}
