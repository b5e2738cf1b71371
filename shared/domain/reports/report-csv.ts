import type { BatchReport } from '../../contracts/report.js';
import { addressKey } from '../../contracts/mailbox-pair.js';
import { csvLine } from './csv-cell.js';
import { describeWindow } from '../controls/date-window.js';
import { leftOutBy } from '../controls/left-out-by.js';
import { goneFolderOutcome } from './gone-folder-outcome.js';

const HEADER = ['SourceEmail', 'DestinationEmail', 'MailboxState', 'Folder', 'DestinationFolder', 'FolderState', 'MessagesAtSource', 'Copied', 'CopiedBytes', 'CopiedThisPass', 'Skipped', 'Failed', 'DroppedKeywords', 'Vanished', 'Verification', 'Error', 'Repaired', 'LeftOutBy', 'DateWindow', 'DeletedAtCutover', 'GoneFolderAtCutover', 'BudgetResumedAt'];

/**
 * One row per folder (and one per mailbox without folders), for spreadsheets. Newer columns come
 * last so the older ones keep their places; a folder left out by the controls has its own row
 * (state "excluded", the pattern in LeftOutBy).
 */
export function renderReportCsv(report: BatchReport, verification: ReadonlyMap<string, string> = new Map()): string {
  const lines = [csvLine(HEADER)];
  for (const m of report.mailboxes) {
    const v = verification.get(addressKey(m.sourceEmail)) ?? '';
    const w = m.dateWindow ? describeWindow(m.dateWindow) : '';
    if (m.folders.length === 0) lines.push(csvLine([m.sourceEmail, m.destinationEmail, m.state, '', '', '', 0, 0, 0, 0, 0, 0, 0, 0, v, m.error ? `${m.error.code}: ${m.error.message}` : '', '', '', w, '', '', '']));
    for (const f of m.folders) {
      lines.push(csvLine([m.sourceEmail, m.destinationEmail, m.state, f.sourcePath, f.destinationPath, f.state, f.messagesAtSource, f.copied, f.copiedBytes, f.copiedThisPass, f.skippedCount, f.failedCount, f.droppedKeywords, f.vanished, v, f.error ? `${f.error.code}: ${f.error.message}` : '', f.repaired ? `${f.repaired.reason}: ${f.repaired.detail}` : '', '', w, f.deletedAtCutover ?? (f.deleteSkippedReason ? `none: ${f.deleteSkippedReason}` : ''), '', (f.budgetPauses ?? []).join(' ')]));
    }
    for (const s of m.skippedFolders) lines.push(csvLine([m.sourceEmail, m.destinationEmail, m.state, s.sourcePath, '', 'skipped', '', '', '', '', '', '', '', '', v, `${s.code}: ${s.reason}`, '', '', w, '', '', '']));
    for (const x of m.excludedFolders ?? []) lines.push(csvLine([m.sourceEmail, m.destinationEmail, m.state, x.sourcePath, '', 'excluded', '', '', '', '', '', '', '', '', v, '', '', leftOutBy(x), w, '', '', '']));
    for (const g of m.sourceFoldersGone ?? []) lines.push(csvLine([m.sourceEmail, m.destinationEmail, m.state, g.sourcePath, g.destinationPath, 'gone-at-source', '', '', '', '', '', '', '', '', v, '', '', '', w, g.removedAtCutover ?? '', goneFolderOutcome(g), '']));
  }
  return `${lines.join('\r\n')}\r\n`;
}
