import type { BatchReport } from '../../contracts/report.js';
import { addressKey } from '../../contracts/mailbox-pair.js';
import { csvLine } from './csv-cell.js';

const HEADER = ['SourceEmail', 'DestinationEmail', 'MailboxState', 'Folder', 'DestinationFolder', 'FolderState', 'MessagesAtSource', 'Copied', 'CopiedBytes', 'CopiedThisPass', 'Skipped', 'Failed', 'DroppedKeywords', 'Vanished', 'Verification', 'Error', 'Repaired'];

/** One row per folder (and one per mailbox without folders), for spreadsheets. Repaired is last so the older columns keep their places. */
export function renderReportCsv(report: BatchReport, verification: ReadonlyMap<string, string> = new Map()): string {
  const lines = [csvLine(HEADER)];
  for (const m of report.mailboxes) {
    const v = verification.get(addressKey(m.sourceEmail)) ?? '';
    if (m.folders.length === 0) lines.push(csvLine([m.sourceEmail, m.destinationEmail, m.state, '', '', '', 0, 0, 0, 0, 0, 0, 0, 0, v, m.error ? `${m.error.code}: ${m.error.message}` : '', '']));
    for (const f of m.folders) {
      lines.push(csvLine([m.sourceEmail, m.destinationEmail, m.state, f.sourcePath, f.destinationPath, f.state, f.messagesAtSource, f.copied, f.copiedBytes, f.copiedThisPass, f.skippedCount, f.failedCount, f.droppedKeywords, f.vanished, v, f.error ? `${f.error.code}: ${f.error.message}` : '', f.repaired ? `${f.repaired.reason}: ${f.repaired.detail}` : '']));
    }
    for (const s of m.skippedFolders) lines.push(csvLine([m.sourceEmail, m.destinationEmail, m.state, s.sourcePath, '', 'skipped', '', '', '', '', '', '', '', '', v, `${s.code}: ${s.reason}`, '']));
  }
  return `${lines.join('\r\n')}\r\n`;
}
