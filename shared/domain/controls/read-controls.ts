import type { DateWindow, MailboxControls } from '../../contracts/mailbox-controls.js';
import { dayProblem, windowProblem } from './date-window.js';
import { parseFolderPatterns } from './folder-patterns.js';

/**
 * The controls, each with its setting (per batch) and its optional CSV column (per row). One
 * reader for both, so a value means the same in app settings and in a cell.
 */
export const CONTROL_FIELDS = [
  { control: 'includeFolders', setting: 'INCLUDE_FOLDERS', column: 'IncludeFolders' },
  { control: 'excludeFolders', setting: 'EXCLUDE_FOLDERS', column: 'ExcludeFolders' },
  { control: 'since', setting: 'MESSAGES_SINCE', column: 'Since' },
  { control: 'before', setting: 'MESSAGES_BEFORE', column: 'Before' },
  { control: 'deleteAtCutover', setting: 'DELETE_AT_CUTOVER', column: 'DeleteAtCutover' },
  { control: 'deleteGoneFolders', setting: 'DELETE_GONE_FOLDERS_AT_CUTOVER', column: 'DeleteGoneFoldersAtCutover' },
  { control: 'maxBytesPerSecond', setting: 'MAX_BYTES_PER_SECOND_PER_MAILBOX', column: 'MaxBytesPerSecond' },
  { control: 'dailyBytes', setting: 'DAILY_BYTES_PER_MAILBOX', column: 'DailyBytes' },
] as const satisfies readonly { control: keyof MailboxControls; setting: string; column: string }[];

export type ControlField = (typeof CONTROL_FIELDS)[number];

/** A cap below this would hold a mailbox on one small message for seconds: a typo, not a plan. */
export const MIN_BYTES_PER_SECOND = 1024;

/**
 * Reads what `value` gives for each field (trimmed; '' or undefined = not set). Problems name the
 * field by `label` (the setting key or the column as written), never echo more than a pattern.
 */
export function readControls(value: (f: ControlField) => string | undefined, label: (f: ControlField) => string, quote = true): { controls: MailboxControls; problems: { field: string; message: string }[] } {
  const controls: MailboxControls = {};
  const problems: { field: string; message: string }[] = [];
  for (const f of CONTROL_FIELDS) {
    const v = value(f)?.trim();
    if (v === undefined || v === '') continue;
    if (f.control === 'includeFolders' || f.control === 'excludeFolders') {
      const r = parseFolderPatterns(v, quote);
      if ('problem' in r) problems.push({ field: label(f), message: `${label(f)}: ${r.problem}` });
      else if (r.patterns.length > 0) controls[f.control] = r.patterns.map((p) => p.text);
    } else if (f.control === 'maxBytesPerSecond') {
      if (!/^\d{1,13}$/.test(v) || (Number(v) > 0 && Number(v) < MIN_BYTES_PER_SECOND)) problems.push({ field: label(f), message: `${label(f)} must be 0 (no cap) or a whole number of bytes per second from ${MIN_BYTES_PER_SECOND}` });
      else if (Number(v) > 0) controls.maxBytesPerSecond = Number(v);
    } else if (f.control === 'dailyBytes') {
      if (!/^\d{1,15}$/.test(v)) problems.push({ field: label(f), message: `${label(f)} must be 0 (no budget) or a whole number of bytes` });
      else controls.dailyBytes = Number(v);
    } else if (f.control === 'deleteAtCutover' || f.control === 'deleteGoneFolders') {
      const yes = /^(true|yes|1)$/i.test(v);
      if (!yes && !/^(false|no|0)$/i.test(v)) problems.push({ field: label(f), message: `${label(f)} must be true or false` });
      else controls[f.control] = yes;
    } else {
      const why = dayProblem(v);
      if (why) problems.push({ field: label(f), message: `${label(f)} ${why}` });
      else controls[f.control] = v;
    }
  }
  const window = windowProblem(controls);
  if (window) {
    const before = CONTROL_FIELDS.find((f) => f.control === 'before')!;
    problems.push({ field: label(before), message: `${label(before)}: ${window}` });
  }
  return { controls, problems };
}

/** A row's controls over the batch's: a cell that is set replaces the batch's value for that row. */
export function effectiveControls(batch: MailboxControls | undefined, row: MailboxControls | undefined): MailboxControls {
  const out: MailboxControls = { ...(batch ?? {}), ...(row ?? {}) };
  // The window is one thing: a row giving either end brings its own window, not half of the batch's.
  if (row && (row.since !== undefined || row.before !== undefined)) {
    delete out.since;
    delete out.before;
    if (row.since !== undefined) out.since = row.since;
    if (row.before !== undefined) out.before = row.before;
  }
  return out;
}

export function controlsWindow(c: MailboxControls): DateWindow {
  return { ...(c.since !== undefined ? { since: c.since } : {}), ...(c.before !== undefined ? { before: c.before } : {}) };
}
