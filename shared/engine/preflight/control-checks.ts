import type { DateWindow, MailboxControls } from '../../contracts/mailbox-controls.js';
import { describeWindow, isOpenWindow } from '../../domain/controls/date-window.js';
import type { FolderFilter } from '../../domain/controls/folder-filter.js';
import { leftOutBy } from '../../domain/controls/left-out-by.js';
import { formatMessageSize as mb } from '../../domain/reports/format-bytes.js';
import { check } from './checks.js';
import type { PreflightCheck, PreflightStats } from './types.js';

/** Preflight rows of the controls (folder filter, date window, bandwidth cap): what the run will leave out, and how it paces. */

const LEFT_OUT_LISTED = 20;

/**
 * Under a bandwidth cap: how long this mailbox's bytes take at least (its own cap; the batch's is
 * shared by every mailbox, so it only bounds from below too). Warns past a day: a cap set in
 * bytes where kilobytes were meant holds a mailbox for weeks. No row without a cap.
 */
export function bandwidthCheck(mailboxCap: number | undefined, batchCap: number, stats: PreflightStats): PreflightCheck[] {
  const cap = Math.min(...[mailboxCap ?? 0, batchCap].filter((c) => c > 0));
  if (!Number.isFinite(cap)) return [];
  const seconds = Math.ceil(stats.bytes / cap);
  const took = seconds < 120 ? `${seconds} s` : seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${(seconds / 3600).toFixed(1)} h`;
  const which = [mailboxCap ? `${mailboxCap} bytes/s for this mailbox` : '', batchCap ? `${batchCap} bytes/s for the batch` : ''].filter(Boolean).join(', ');
  return [check('bandwidth', 'source', seconds > 86_400 ? 'warn' : 'pass', `bandwidth cap ${which}: ${mb(stats.bytes)} take at least ${took}`)];
}

/**
 * What the cut-over will delete at the destination, when asked to (DELETE_AT_CUTOVER,
 * DELETE_GONE_FOLDERS_AT_CUTOVER or their columns): said before anything runs, since deletions are
 * the one thing a migration does that cannot be copied back. No row when neither is set.
 */
export function cutOverDeletionsCheck(controls: MailboxControls): PreflightCheck[] {
  const what = [
    controls.deleteAtCutover ? 'the copies of messages expunged at the source since they were copied are removed' : '',
    controls.deleteGoneFolders ? 'folders deleted at the source lose the copies we made, and are deleted at the destination if nothing else is left in them' : '',
  ].filter(Boolean);
  if (what.length === 0) return [];
  return [check('cut-over-deletions', 'destination', 'pass', `at cut-over ${what.join('; ')} (never a message the migration did not copy)`)];
}

/** The date window and what it leaves out; warns when nothing is in it. No row without a window. */
export function dateWindowCheck(dates: DateWindow, stats: PreflightStats): PreflightCheck[] {
  if (isOpenWindow(dates)) return [];
  const detail = `date window ${describeWindow(dates)} (UTC internal date): ${stats.messages} message(s) in it, ${stats.outsideWindow ?? 0} outside it not copied`;
  return [check('date-window', 'source', stats.messages === 0 && (stats.outsideWindow ?? 0) > 0 ? 'warn' : 'pass', stats.messages === 0 ? `${detail}; nothing to copy` : detail)];
}

/**
 * What the folder controls leave out of this mailbox, folder by folder with the pattern; a
 * pattern that names no folder warns (a typo would silently copy what was meant to stay), and so
 * does a filter that leaves nothing to copy. No check row when no folder control is set.
 */
export function folderFilterCheck(filter: FolderFilter, copied: number): PreflightCheck[] {
  if (filter.excluded.length === 0 && filter.unmatched.length === 0 && filter.left.size === 0) return [];
  const lines = filter.excluded.map((x) => `"${x.sourcePath}" ${leftOutBy(x)}`);
  const shown = lines.slice(0, LEFT_OUT_LISTED).join('; ') + (lines.length > LEFT_OUT_LISTED ? `; and ${lines.length - LEFT_OUT_LISTED} more` : '');
  const left = `${filter.excluded.length} folder(s) left out${shown ? `: ${shown}` : ''}`;
  const problems = [
    ...(filter.unmatched.length > 0 ? [`pattern(s) naming no folder of this mailbox: ${filter.unmatched.map((p) => `"${p}"`).join(', ')}`] : []),
    ...(copied === 0 ? ['no folder is left to copy'] : []),
  ];
  if (problems.length > 0) return [check('folder-filter', 'source', 'warn', `${problems.join('; ')}; ${left}`)];
  return [check('folder-filter', 'source', 'pass', left)];
}
