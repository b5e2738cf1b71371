import type { ArchivedOnlyReport, BatchReport } from '../../contracts/report.js';
import { addressKey } from '../../contracts/mailbox-pair.js';
import { csvLine } from './csv-cell.js';
import { describeWindow } from '../controls/date-window.js';
import { leftOutBy } from '../controls/left-out-by.js';
import { goneFolderOutcome } from './gone-folder-outcome.js';

const HEADER = ['SourceEmail', 'DestinationEmail', 'MailboxState', 'Folder', 'DestinationFolder', 'FolderState', 'MessagesAtSource', 'Copied', 'CopiedBytes', 'CopiedThisPass', 'Skipped', 'Failed', 'DroppedKeywords', 'Vanished', 'Verification', 'Error', 'Repaired', 'LeftOutBy', 'DateWindow', 'DeletedAtCutover', 'GoneFolderAtCutover', 'ArchivedOnlyCopiedThisPass', 'ArchivedOnlyTotal', 'ArchivedOnlyVerifiedAtSource', 'ArchivedOnlyVerifiedInArchive', 'BudgetResumedAt'];

/** Four empty archived-only cells: the counts are on the \All folder's row only, so a column's sum is the batch's. */
const NO_ARCHIVED = ['', '', '', ''];

/**
 * One row per folder (and one per mailbox without folders), for spreadsheets. Newer columns come
 * last so the older ones keep their places; a folder left out by the controls has its own row
 * (state "excluded", the pattern in LeftOutBy). The ArchivedOnly* columns are the mailbox's
 * archived-only counts (see ArchivedOnlyReport), filled on the row of its `\All` folder.
 */
export function renderReportCsv(report: BatchReport, verification: ReadonlyMap<string, string> = new Map()): string {
  const lines = [csvLine(HEADER)];
  for (const m of report.mailboxes) {
    const v = verification.get(addressKey(m.sourceEmail)) ?? '';
    const w = m.dateWindow ? describeWindow(m.dateWindow) : '';
    if (m.folders.length === 0) lines.push(csvLine([m.sourceEmail, m.destinationEmail, m.state, '', '', '', 0, 0, 0, 0, 0, 0, 0, 0, v, m.error ? `${m.error.code}: ${m.error.message}` : '', '', '', w, '', '', ...NO_ARCHIVED, '']));
    for (const f of m.folders) {
      lines.push(csvLine([m.sourceEmail, m.destinationEmail, m.state, f.sourcePath, f.destinationPath, f.state, f.messagesAtSource, f.copied, f.copiedBytes, f.copiedThisPass, f.skippedCount, f.failedCount, f.droppedKeywords, f.vanished, v, f.error ? `${f.error.code}: ${f.error.message}` : '', f.repaired ? `${f.repaired.reason}: ${f.repaired.detail}` : '', '', w, f.deletedAtCutover ?? (f.deleteSkippedReason ? `none: ${f.deleteSkippedReason}` : ''), '', ...(f.archivedOnly ? archivedCells(m.archivedOnly) : NO_ARCHIVED), (f.budgetPauses ?? []).join(' ')]));
    }
    for (const s of m.skippedFolders) lines.push(csvLine([m.sourceEmail, m.destinationEmail, m.state, s.sourcePath, '', 'skipped', '', '', '', '', '', '', '', '', v, `${s.code}: ${s.reason}`, '', '', w, '', '', ...NO_ARCHIVED, '']));
    for (const x of m.excludedFolders ?? []) lines.push(csvLine([m.sourceEmail, m.destinationEmail, m.state, x.sourcePath, '', 'excluded', '', '', '', '', '', '', '', '', v, '', '', leftOutBy(x), w, '', '', ...NO_ARCHIVED, '']));
    for (const g of m.sourceFoldersGone ?? []) lines.push(csvLine([m.sourceEmail, m.destinationEmail, m.state, g.sourcePath, g.destinationPath, 'gone-at-source', '', '', '', '', '', '', '', '', v, '', '', '', w, g.removedAtCutover ?? '', goneFolderOutcome(g), ...NO_ARCHIVED, '']));
  }
  return `${lines.join('\r\n')}\r\n`;
}

function archivedCells(a: ArchivedOnlyReport | undefined): (string | number)[] {
  if (!a) return NO_ARCHIVED;
  return [a.copiedThisPass, a.total, a.verified?.atSource ?? '', a.verified?.inArchive ?? ''];
}
