import { addressKey } from '../../contracts/mailbox-pair.js';
import { formatBytes } from './format-bytes.js';
import type { BatchReport, MailboxReport } from '../../contracts/report.js';
import { describeWindow } from '../controls/date-window.js';
import { leftOutBy } from '../controls/left-out-by.js';
import { goneFolderOutcome } from './gone-folder-outcome.js';
import { describeBudget } from './describe-budget.js';

const esc = (s: string | number): string => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
const mb = (b: number): string => formatBytes(b, { only: 'MB' });

function issues(m: MailboxReport): string {
  const items: string[] = [];
  if (m.error) items.push(`${m.error.code}: ${m.error.message}`);
  for (const f of m.folders) {
    if (f.error) items.push(`${f.sourcePath}: ${f.error.code} ${f.error.message}`);
    if (f.repaired) items.push(`${f.sourcePath}: repaired (${f.repaired.reason}: ${f.repaired.detail})`);
    if (f.deletedAtCutover) items.push(`${f.sourcePath}: ${f.deletedAtCutover} removed at the destination (expunged at the source since they were copied)`);
    if (f.deleteSkippedReason) items.push(`${f.sourcePath}: nothing removed at cut-over: ${f.deleteSkippedReason}`);
    if (f.vanished > 0) items.push(`${f.sourcePath}: ${f.vanished} expunged at the source while being copied (not copied, not failed)`);
    for (const s of f.skipped.slice(0, 5)) items.push(`${f.sourcePath} UID ${s.uid} skipped (${s.code}: ${s.reason})`);
    for (const s of f.failed.slice(0, 5)) items.push(`${f.sourcePath} UID ${s.uid} failed (${s.code}: ${s.reason})`);
  }
  for (const s of m.skippedFolders) items.push(`folder ${s.sourcePath} not copied (${s.code}: ${s.reason})`);
  for (const x of m.excludedFolders ?? []) items.push(`folder ${x.sourcePath} left out: ${leftOutBy(x)}`);
  for (const g of m.sourceFoldersGone ?? []) items.push(`folder ${g.sourcePath} no longer exists at the source; ${goneFolderOutcome(g)}`);
  if (m.bandwidth) items.push(`bandwidth cap: ${[m.bandwidth.mailboxBytesPerSecond ? `${m.bandwidth.mailboxBytesPerSecond} bytes/s for this mailbox` : '', m.bandwidth.batchBytesPerSecond ? `${m.bandwidth.batchBytesPerSecond} bytes/s for the batch` : ''].filter(Boolean).join(', ')}`);
  if (m.byteBudget) items.push(describeBudget(m.byteBudget));
  if (m.dateWindow) items.push(`date window: messages dated ${describeWindow(m.dateWindow)} (UTC internal date)`);
  for (const r of m.renamedFolders) items.push(`folder ${r.sourcePath} copied as ${r.destinationPath} (${r.reason})`);
  return items.length === 0 ? '' : `<ul>${items.slice(0, 20).map((i) => `<li>${esc(i)}</li>`).join('')}${items.length > 20 ? `<li>and ${items.length - 20} more (see the CSV)</li>` : ''}</ul>`;
}

/** The mailbox's archived-only counts, in their own column: this pass / in all / verified at cut-over. */
function archivedCell(m: MailboxReport): string {
  const a = m.archivedOnly;
  if (!a) return '';
  const verified = a.verified ? `${a.verified.inArchive} of ${a.verified.atSource} (${esc(a.verified.result)})` : 'not yet (cut-over)';
  return `${a.copiedThisPass} / ${a.total} / ${verified}<br>into <code>${esc(a.destinationPath)}</code>`;
}

function archivedSummary(a: BatchReport['totals']['archivedOnly']): string {
  if (!a) return '';
  const verified = a.verifiedAtSource === undefined ? '' : `; verified at cut-over: ${a.verifiedInArchive ?? 0} of ${a.verifiedAtSource} found in the archive folder`;
  return `<p>Archived-only messages (in the source's All Mail and no other folder), ${a.mailboxes} mailboxes: <strong>${a.copiedThisPass}</strong> copied to the archive folder this pass, <strong>${a.total}</strong> there in all${verified}.</p>\n`;
}

/** Where the report points for the live view: the app's dashboard (a URL), or the command that shows it. */
export type LiveView = { url: string } | { command: string };

function liveView(live: LiveView | undefined): string {
  if (!live) return '';
  if ('url' in live) return `<p>Live view: <a href="${esc(live.url)}">the migration dashboard</a> (add <code>?code=</code> and the function key).</p>\n`;
  return `<p>Live view: run <code>${esc(live.command)}</code>.</p>\n`;
}

/** A one-page summary an admin can forward: totals first, then one row per mailbox. Everything user-supplied is escaped. */
export function renderReportHtml(report: BatchReport, verification: ReadonlyMap<string, string> = new Map(), live?: LiveView): string {
  const t = report.totals;
  // Only a batch with a Gmail-like source (an \All folder) gets the archived-only column.
  const archived = t.archivedOnly !== undefined || report.mailboxes.some((m) => m.archivedOnly);
  const rows = report.mailboxes
    .map((m) => `<tr class="${esc(m.state)}"><td>${esc(m.sourceEmail)}</td><td>${esc(m.destinationEmail)}</td><td>${esc(m.state)}</td><td>${m.totals.folders}</td><td>${m.totals.copied}</td><td>${mb(m.totals.copiedBytes)}</td><td>${m.totals.skipped}</td><td>${m.totals.failed}</td>${archived ? `<td>${archivedCell(m)}</td>` : ''}<td>${esc(verification.get(addressKey(m.sourceEmail)) ?? '')}</td><td>${issues(m)}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Migration report ${esc(report.batchId)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top;font-size:13px}tr.failed td{background:#fde8e8}tr.completed-with-issues td{background:#fff6dd}</style></head>
<body><h1>Migration report</h1>
<p>Batch <code>${esc(report.batchId)}</code>, ${esc(report.startedAt)} to ${esc(report.finishedAt)}.</p>
${liveView(live)}<p><strong>${t.mailboxes}</strong> mailboxes: <strong>${t.completed}</strong> completed, <strong>${t.withIssues}</strong> with issues, <strong>${t.failed}</strong> failed. ${t.copied} messages (${mb(t.copiedBytes)}) copied; ${t.skipped} skipped, ${t.failedMessages} failed.</p>
${archivedSummary(t.archivedOnly)}<table><thead><tr><th>Source</th><th>Destination</th><th>State</th><th>Folders</th><th>Messages</th><th>Size</th><th>Skipped</th><th>Failed</th>${archived ? '<th>Archived-only (All Mail → archive folder): this pass / in all / verified</th>' : ''}<th>Verification</th><th>Issues</th></tr></thead>
<tbody>
${rows}
</tbody></table></body></html>
`;
}
