import type { SourceReader } from '../../contracts/imap-ports.js';
import type { ListedFolder } from '../../contracts/imap.js';
import type { Settings } from '../../config/settings.js';
import type { MailboxRow } from '../../contracts/mailbox.js';
import { planFolderMapping } from '../../domain/folders/index.js';
import { check, diagnosed, failed, skipped } from './checks.js';
import { classify } from '../../errors/classify.js';
import { checkFolderNames } from './folder-name-check.js';
import { scanSourceSizes } from './folder-scan.js';
import { formatMessageSize as mb } from '../../domain/reports/format-bytes.js';
import type { PreflightCheck, PreflightStats } from './types.js';
import { folderFilter, type FolderFilter } from '../../domain/controls/folder-filter.js';
import { controlsWindow, effectiveControls } from '../../domain/controls/read-controls.js';
import { describeWindow, isOpenWindow } from '../../domain/controls/date-window.js';
import type { DateWindow } from '../../contracts/mailbox-controls.js';
import { leftOutBy } from '../../domain/controls/left-out-by.js';

const LEFT_OUT_LISTED = 20;

/**
 * Under a bandwidth cap: how long this mailbox's bytes take at least (its own cap; the batch's is
 * shared by every mailbox, so it only bounds from below too). Warns past a day: a cap set in
 * bytes where kilobytes were meant holds a mailbox for weeks. No row without a cap.
 */
function bandwidthCheck(mailboxCap: number | undefined, batchCap: number, stats: PreflightStats): PreflightCheck[] {
  const cap = Math.min(...[mailboxCap ?? 0, batchCap].filter((c) => c > 0));
  if (!Number.isFinite(cap)) return [];
  const seconds = Math.ceil(stats.bytes / cap);
  const took = seconds < 120 ? `${seconds} s` : seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${(seconds / 3600).toFixed(1)} h`;
  const which = [mailboxCap ? `${mailboxCap} bytes/s for this mailbox` : '', batchCap ? `${batchCap} bytes/s for the batch` : ''].filter(Boolean).join(', ');
  return [check('bandwidth', 'source', seconds > 86_400 ? 'warn' : 'pass', `bandwidth cap ${which}: ${mb(stats.bytes)} take at least ${took}`)];
}

/** The date window and what it leaves out; warns when nothing is in it. No row without a window. */
function dateWindowCheck(dates: DateWindow, stats: PreflightStats): PreflightCheck[] {
  if (isOpenWindow(dates)) return [];
  const detail = `date window ${describeWindow(dates)} (UTC internal date): ${stats.messages} message(s) in it, ${stats.outsideWindow ?? 0} outside it not copied`;
  return [check('date-window', 'source', stats.messages === 0 && (stats.outsideWindow ?? 0) > 0 ? 'warn' : 'pass', stats.messages === 0 ? `${detail}; nothing to copy` : detail)];
}

/**
 * What the folder controls leave out of this mailbox, folder by folder with the pattern; a
 * pattern that names no folder warns (a typo would silently copy what was meant to stay), and so
 * does a filter that leaves nothing to copy. No check row when no folder control is set.
 */
function folderFilterCheck(filter: FolderFilter, copied: number): PreflightCheck[] {
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

/**
 * What is in the mailbox, seen through the plan the migration will follow: the folders it would
 * copy with their counts and sizes, messages the destination will refuse, and folder names it
 * cannot take. Needs the source login; without the destination login the names are planned
 * against an empty destination with the usual "/" separator.
 */
export async function checkContent(
  settings: Settings,
  row: MailboxRow,
  source: SourceReader | undefined,
  destination: SourceReader | undefined,
  sizeWindow?: number,
): Promise<{ checks: PreflightCheck[]; stats?: PreflightStats }> {
  if (!source) {
    const why = 'no source login (see the login check)';
    return { checks: [skipped('folders', 'source', why), skipped('message-size', undefined, why), skipped('folder-names', 'destination', why)] };
  }
  let sourceFolders: ListedFolder[];
  try {
    sourceFolders = await source.listFolders();
  } catch (e) {
    const err = classify(e, 'source');
    const why = 'the source folders could not be listed';
    return { checks: [failed('folders', 'source', err, { settings, mailbox: row.sourceEmail }), skipped('message-size', undefined, why), skipped('folder-names', 'destination', why)] };
  }
  // A destination that cannot be listed still gets its names planned: the rules depend on its kind.
  const destinationFolders = destination ? await destination.listFolders().catch(() => undefined) : undefined;
  const plan = planFolderMapping(sourceFolders, {
    delimiter: destinationFolders?.[0]?.delimiter ?? '/',
    folders: destinationFolders ?? [],
    kind: settings.destination.serverKind,
  });
  const names = checkFolderNames(plan, settings, row.destinationEmail, destinationFolders === undefined);
  const controls = effectiveControls(settings.controls, row.controls);
  const dates = controlsWindow(controls);
  const filter = folderFilter(sourceFolders, controls);
  const copied = plan.mappings.filter((m) => m.selectable && !filter.left.has(m.sourcePath)).map((m) => m.sourcePath);
  const filtering = folderFilterCheck(filter, copied.length);

  let stats: PreflightStats;
  try {
    stats = await scanSourceSizes(source, copied, settings.maxMessageBytes, sizeWindow, dates);
  } catch (e) {
    const err = classify(e, 'source');
    return { checks: [failed('folders', 'source', err, { settings, mailbox: row.sourceEmail }), skipped('message-size', undefined, 'the folders could not be scanned'), names, ...filtering] };
  }
  const folders = check('folders', 'source', 'pass', `${stats.folders} folder(s) to copy, ${stats.messages} message(s), ${mb(stats.bytes)} in all`);
  const listed = stats.overLimit.map((m) => `"${m.folder}" UID ${m.uid}: ${mb(m.size)}`).join('; ');
  const sizes =
    stats.overLimitCount > 0
      ? diagnosed('message-size', undefined, 'fail', {
          code: 'MESSAGE_TOO_LARGE',
          message: `${stats.overLimitCount} over ${mb(settings.maxMessageBytes)}`,
          detail: `${stats.overLimitCount} message(s) over MAX_MESSAGE_BYTES (${mb(settings.maxMessageBytes)}), largest ${mb(stats.largestMessageBytes)}: ${listed}${stats.overLimitCount > stats.overLimit.length ? `; and ${stats.overLimitCount - stats.overLimit.length} more` : ''}`,
        }, { settings, mailbox: row.destinationEmail, overLimitCount: stats.overLimitCount, largestMessageBytes: stats.largestMessageBytes })
      : check('message-size', undefined, 'pass', stats.messages === 0 ? 'no messages to copy' : `largest message ${mb(stats.largestMessageBytes)}, within MAX_MESSAGE_BYTES (${mb(settings.maxMessageBytes)})`);
  return { checks: [folders, sizes, names, ...filtering, ...dateWindowCheck(dates, stats), ...bandwidthCheck(controls.maxBytesPerSecond, settings.batchBytesPerSecond, stats)], stats };
}
