import { byteBudgetCheck } from './byte-budget-check.js';
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
import { folderFilter } from '../../domain/controls/folder-filter.js';
import { controlsWindow, effectiveControls } from '../../domain/controls/read-controls.js';
import { bandwidthCheck, cutOverDeletionsCheck, dateWindowCheck, folderFilterCheck } from './control-checks.js';

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
  return { checks: [folders, sizes, names, ...filtering, ...dateWindowCheck(dates, stats), ...bandwidthCheck(controls.maxBytesPerSecond, settings.batchBytesPerSecond, stats), ...byteBudgetCheck(controls.dailyBytes, settings.budgetWindowMs, stats), ...cutOverDeletionsCheck(controls)], stats };
}
