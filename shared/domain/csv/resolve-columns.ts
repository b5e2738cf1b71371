import type { CsvProblem } from '../../contracts/mailbox.js';
import { CONTROL_FIELDS, type ControlField } from '../controls/read-controls.js';

// Which header columns hold the addresses. Two shapes are accepted:
//   SourceEmail,DestinationEmail      an explicit pair per row
//   Email (or an alias)               the same address on both sides
// PrimarySmtpAddress is what `Get-Mailbox | Export-Csv` writes, next to ~200 other columns.

/** Where to read each row's addresses; in single-column files both indexes are the same. */
export interface ColumnLayout {
  width: number;
  sourceIndex: number;
  destinationIndex: number;
  /** Column names as written in the header, used in problems. */
  sourceField: string;
  destinationField: string;
  /** Optional per-row control columns present in the header (IncludeFolders, Since ...). */
  controls: { field: ControlField; index: number; name: string }[];
}

export type ResolvedColumns =
  | { ok: true; layout: ColumnLayout; warnings: CsvProblem[] }
  | { ok: false; problems: CsvProblem[] };

const SOURCE = 'sourceemail';
const DESTINATION = 'destinationemail';
/** Single-address columns; a file may use only one of them. */
const SINGLE_ALIASES = ['email', 'primarysmtpaddress', 'emailaddress'];
const CONTROL_COLUMNS = CONTROL_FIELDS.map((f) => f.column.toLowerCase());
const RECOGNISED = [SOURCE, DESTINATION, ...SINGLE_ALIASES, ...CONTROL_COLUMNS];
const EXCHANGE_EXPORT_COLUMN = 'primarysmtpaddress';
/** How many ignored column names a summary warning spells out. */
const NAMED_IN_SUMMARY = 10;
const EXPECTED =
  'the header must name an Email column (or PrimarySmtpAddress, EmailAddress), or SourceEmail and DestinationEmail';

/**
 * `header` holds the trimmed header fields; `line` is the header's physical line.
 * `exchangeExport` (a `#TYPE` line was present) summarises ignored columns in one warning.
 */
export function resolveColumns(header: readonly string[], line: number, exchangeExport: boolean): ResolvedColumns {
  const fail = (field: string, message: string): ResolvedColumns => ({ ok: false, problems: [{ line, field, message }] });
  const indexes = new Map<string, number[]>();
  header.forEach((name, index) => indexes.set(name.toLowerCase(), [...(indexes.get(name.toLowerCase()) ?? []), index]));

  const repeated = RECOGNISED.flatMap((key) => {
    const found = indexes.get(key) ?? [];
    if (found.length < 2) return [];
    const name = header[found[0] ?? 0] ?? key;
    const columns = found.map((i) => i + 1).join(', ');
    return [{ line, field: name, message: `column "${name}" appears ${found.length} times (columns ${columns})` }];
  });
  if (repeated.length > 0) return { ok: false, problems: repeated };

  const at = (key: string): number | undefined => indexes.get(key)?.[0];
  const source = at(SOURCE);
  const destination = at(DESTINATION);
  let sourceIndex: number;
  let destinationIndex: number;
  if (source !== undefined && destination !== undefined) {
    sourceIndex = source;
    destinationIndex = destination;
  } else if (source !== undefined) {
    return fail(header[source] ?? '', `column "${header[source]}" needs a DestinationEmail column next to it`);
  } else if (destination !== undefined) {
    return fail(header[destination] ?? '', `column "${header[destination]}" needs a SourceEmail column next to it`);
  } else {
    const singles = SINGLE_ALIASES.map(at).filter((i): i is number => i !== undefined);
    if (singles.length > 1) {
      return fail('', `columns ${singles.map((i) => `"${header[i]}"`).join(' and ')} all name the address: keep one`);
    }
    const [single] = singles;
    if (single === undefined) return { ok: false, problems: [noUsableColumn(header, line)] };
    sourceIndex = single;
    destinationIndex = single;
  }

  const controls = CONTROL_FIELDS.flatMap((field) => {
    const index = at(field.column.toLowerCase());
    return index === undefined ? [] : [{ field, index, name: header[index] ?? field.column }];
  });
  const used = new Set([sourceIndex, destinationIndex, ...controls.map((c) => c.index)]);
  const summarise = exchangeExport || header[sourceIndex]?.toLowerCase() === EXCHANGE_EXPORT_COLUMN;
  return {
    ok: true,
    layout: {
      width: header.length,
      sourceIndex,
      destinationIndex,
      sourceField: header[sourceIndex] ?? '',
      destinationField: header[destinationIndex] ?? '',
      controls,
    },
    warnings: ignoredColumnWarnings(header.filter((_, i) => !used.has(i)), line, summarise),
  };
}

function noUsableColumn(header: readonly string[], line: number): CsvProblem {
  if (header.some((name) => name.includes('@'))) {
    return { line, field: '', message: `missing header: line ${line} looks like data, not column names; ${EXPECTED}` };
  }
  const tabs = header.length === 1 && header[0]?.includes('\t') ? ' (tab-separated files are not supported: use , or ;)' : '';
  const found = header.map((name) => `"${name}"`).join(', ');
  return { line, field: '', message: `no usable column: ${EXPECTED}; found ${found}${tabs}` };
}

function ignoredColumnWarnings(ignored: readonly string[], line: number, summarise: boolean): CsvProblem[] {
  const named = ignored.filter((name) => name !== '');
  const unnamed = ignored.length - named.length;
  const warnings: CsvProblem[] = [];
  if (summarise && named.length > 0) {
    const listed = named.slice(0, NAMED_IN_SUMMARY).join(', ');
    const rest = named.length > NAMED_IN_SUMMARY ? ` and ${named.length - NAMED_IN_SUMMARY} more` : '';
    warnings.push({ line, field: '', message: `ignored ${named.length} other columns of the Exchange export: ${listed}${rest}` });
  } else {
    for (const name of named) warnings.push({ line, field: name, message: `unknown column "${name}" is ignored` });
  }
  if (unnamed > 0) warnings.push({ line, field: '', message: `${unnamed} column(s) without a name are ignored` });
  return warnings;
}
