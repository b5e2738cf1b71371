// Where the header is and which separator the file uses, read from the lines before any
// CSV parsing: the separator must be known before the parser starts.

export type CsvDelimiter = ',' | ';';

export interface CsvLayout {
  /** 1-based physical line of the header record. */
  headerLine: number;
  delimiter: CsvDelimiter;
  /** Windows PowerShell's Export-Csv wrote a `#TYPE ...` line: the file is an Exchange export. */
  hasTypeLine: boolean;
}

/**
 * `lines` are the physical lines of the file (split on LF after CR/CRLF were normalised).
 * Returns undefined when there is no non-blank line at all.
 */
export function detectCsvLayout(lines: readonly string[]): CsvLayout | undefined {
  const line = (i: number): string => (lines[i] ?? '').trim();
  let index = nextNonBlank(lines, 0);
  let hasTypeLine = false;
  let declared: CsvDelimiter | undefined;
  // Windows PowerShell 5.1's Export-Csv without -NoTypeInformation starts with `#TYPE <type>`.
  if (index < lines.length && /^#TYPE\b/i.test(line(index))) {
    hasTypeLine = true;
    index = nextNonBlank(lines, index + 1);
  }
  // Excel (European locales) understands, and sometimes writes, a `sep=;` hint line.
  const hint = /^"?sep=([,;])"?[,;]*$/i.exec(line(index));
  if (hint) {
    declared = hint[1] as CsvDelimiter;
    index = nextNonBlank(lines, index + 1);
  }
  if (index >= lines.length) return undefined;
  return { headerLine: index + 1, delimiter: declared ?? sniffDelimiter(line(index)), hasTypeLine };
}

/** The separator is whichever of `,` and `;` occurs more often outside quotes in the header. */
export function sniffDelimiter(headerLine: string): CsvDelimiter {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === ',') commas += 1;
    else if (!quoted && char === ';') semicolons += 1;
  }
  return semicolons > commas ? ';' : ',';
}

function nextNonBlank(lines: readonly string[], from: number): number {
  let index = from;
  while (index < lines.length && (lines[index] ?? '').trim() === '') index += 1;
  return index;
}
