import type { DateWindow } from '../../contracts/mailbox-controls.js';

/**
 * Date windows over INTERNALDATE, in whole UTC days: `since` inclusive, `before` exclusive. UTC
 * rather than IMAP SEARCH's "disregarding time and timezone" (RFC 3501 §6.4.4), which servers
 * apply each in their own zone: the same message is in or out whichever server is asked.
 */

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Why `text` is not a day we accept, or undefined. */
export function dayProblem(text: string): string | undefined {
  const m = DAY.exec(text);
  if (!m) return 'must be a date written YYYY-MM-DD';
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(t).toISOString().slice(0, 10) !== text) return 'is not a calendar date';
  return undefined;
}

function startOf(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

/** Why the pair is not a window, or undefined. */
export function windowProblem(w: DateWindow): string | undefined {
  if (w.since !== undefined && w.before !== undefined && startOf(w.since) >= startOf(w.before)) return 'the since day must come before the before day (the window would be empty)';
  return undefined;
}

export function isOpenWindow(w: DateWindow | undefined): boolean {
  return w === undefined || (w.since === undefined && w.before === undefined);
}

/** Whether a message with this internal date (ISO text) is in the window; an unreadable date is in (never silently lost). */
export function inWindow(w: DateWindow | undefined, internalDate: string): boolean {
  if (isOpenWindow(w)) return true;
  const t = Date.parse(internalDate);
  if (Number.isNaN(t)) return true;
  if (w!.since !== undefined && t < startOf(w!.since)) return false;
  if (w!.before !== undefined && t >= startOf(w!.before)) return false;
  return true;
}

/** `a` holds every instant `b` holds. */
export function windowContains(a: DateWindow | undefined, b: DateWindow | undefined): boolean {
  if (isOpenWindow(a)) return true;
  const aSince = a!.since === undefined ? -Infinity : startOf(a!.since);
  const aBefore = a!.before === undefined ? Infinity : startOf(a!.before);
  const bSince = b?.since === undefined ? -Infinity : startOf(b.since);
  const bBefore = b?.before === undefined ? Infinity : startOf(b.before);
  return aSince <= bSince && bBefore <= aBefore;
}

/** As people read it: `2024-01-01 to before 2025-01-01`, `since 2024-01-01`, `all dates`. */
export function describeWindow(w: DateWindow | undefined): string {
  if (isOpenWindow(w)) return 'all dates';
  if (w!.since !== undefined && w!.before !== undefined) return `${w!.since} up to (not including) ${w!.before}`;
  return w!.since !== undefined ? `since ${w!.since}` : `before ${w!.before!}`;
}
