import type { MailboxControls } from './mailbox-controls.js';

/** One mailbox of a batch, as validated from the CSV. Addresses are lower-cased for identity, kept as given for display. */
export interface MailboxRow {
  /** 1-based line number in the CSV (the header is line 1). */
  line: number;
  sourceEmail: string;
  destinationEmail: string;
  /** The row's own control columns (IncludeFolders, ExcludeFolders, Since, Before), where set: they override the batch's settings. */
  controls?: MailboxControls;
}

/** One problem found in a CSV: names its line and field, never silently dropped. */
export interface CsvProblem {
  /** 1-based physical line of the CSV where the record starts (0 for whole-file problems). */
  line: number;
  /** Column name as written in the header, or '' for whole-row / whole-file problems. */
  field: string;
  message: string;
}

export type CsvParseResult =
  | { ok: true; rows: MailboxRow[]; warnings: CsvProblem[] }
  | { ok: false; problems: CsvProblem[] };
