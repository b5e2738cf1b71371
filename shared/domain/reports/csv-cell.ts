/**
 * One CSV cell, safe to open in Excel or Sheets: cells starting with = + - @ (or a tab or
 * carriage return, which some spreadsheet apps strip before reading a formula) are prefixed
 * with a single quote so they are shown as text, never evaluated (CSV/formula injection).
 * Folder names and subjects come from mailbox owners, so every cell goes through here.
 */
export function csvCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n;']/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly (string | number | undefined)[]): string {
  return values.map(csvCell).join(',');
}
