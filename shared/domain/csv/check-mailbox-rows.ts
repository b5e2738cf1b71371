import type { CsvProblem, MailboxRow } from '../../contracts/mailbox.js';
import type { CsvRecord } from './read-csv-records.js';
import type { ColumnLayout } from './resolve-columns.js';
import { addressKey } from '../../contracts/mailbox-pair.js';
import { emailAddressProblem } from './email-address.js';
import { readControls } from '../controls/read-controls.js';

/** How much of a rejected value a message quotes. */
const QUOTED_VALUE_LENGTH = 80;

/**
 * Validates every data record against the column layout and across rows: each mailbox may be
 * migrated once (source addresses unique) and into its own mailbox (destinations unique).
 * Addresses are compared by their key (addressKey, as the ledger keys pairs); rows keep them as written.
 */
export function checkMailboxRows(records: readonly CsvRecord[], layout: ColumnLayout): { rows: MailboxRow[]; problems: CsvProblem[] } {
  const rows: MailboxRow[] = [];
  const problems: CsvProblem[] = [];
  const sourceLines = new Map<string, number>();
  const destinationLines = new Map<string, number>();
  const pairMode = layout.sourceIndex !== layout.destinationIndex;

  for (const { line, fields } of records) {
    if (fields.length !== layout.width) {
      problems.push({ line, field: '', message: `expected ${layout.width} fields as in the header, found ${fields.length}` });
      continue;
    }
    const source = fields[layout.sourceIndex] ?? '';
    const destination = fields[layout.destinationIndex] ?? '';
    const sourceProblem = addressProblem(source, layout.sourceField);
    const destinationProblem = pairMode ? addressProblem(destination, layout.destinationField) : undefined;
    if (sourceProblem) problems.push({ line, field: layout.sourceField, message: sourceProblem });
    if (destinationProblem) problems.push({ line, field: layout.destinationField, message: destinationProblem });
    if (sourceProblem || destinationProblem) continue;
    // Per-row controls: a bad cell names its line and column, and the whole file is refused.
    const read = readControls((f) => fields[layout.controls.find((c) => c.field === f)?.index ?? -1], (f) => layout.controls.find((c) => c.field === f)?.name ?? f.column);
    if (read.problems.length > 0) {
      for (const p of read.problems) problems.push({ line, field: p.field, message: p.message });
      continue;
    }
    const controls = Object.keys(read.controls).length > 0 ? { controls: read.controls } : {};

    const firstSource = sourceLines.get(addressKey(source));
    if (firstSource !== undefined) {
      problems.push({
        line,
        field: layout.sourceField,
        message: `duplicate: ${quote(source)} is already listed on line ${firstSource}`,
      });
      continue;
    }
    sourceLines.set(addressKey(source), line);

    // In single-column files the destination is the source, already checked above.
    const firstDestination = pairMode ? destinationLines.get(addressKey(destination)) : undefined;
    if (firstDestination !== undefined) {
      problems.push({
        line,
        field: layout.destinationField,
        message: `two sources map to ${quote(destination)}: lines ${firstDestination} and ${line}; each destination mailbox may receive one source`,
      });
      continue;
    }
    destinationLines.set(addressKey(destination), line);
    rows.push({ line, sourceEmail: source, destinationEmail: destination, ...controls });
  }
  return { rows, problems };
}

function addressProblem(value: string, field: string): string | undefined {
  if (value === '') return `${field} is empty`;
  const reason = emailAddressProblem(value);
  return reason === undefined ? undefined : `${quote(value)} is not a valid address: it ${reason}`;
}

/** JSON quoting shows hidden characters (tabs, line breaks, odd spaces) in the message. */
function quote(value: string): string {
  const shown = value.length > QUOTED_VALUE_LENGTH ? `${value.slice(0, QUOTED_VALUE_LENGTH)}...` : value;
  return JSON.stringify(shown);
}
