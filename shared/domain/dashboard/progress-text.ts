import { formatBytes } from '../reports/format-bytes.js';
import { terminalSafe } from '../reports/terminal-text.js';
import type { BatchProgress, MailboxProgress, ProgressView } from './progress-view.js';

/**
 * The live view on a terminal (`mailmig status`): one block per batch, one line per mailbox and
 * an indented line per error with its fix. Every value passes through terminalSafe: a folder name
 * or a server's answer cannot move the cursor, retitle the terminal or forge a line.
 */
const STATE: Record<MailboxProgress['state'], string> = { pending: 'pending', running: 'RUNNING', completed: 'ok', 'completed-with-issues': 'issues', failed: 'FAILED', interrupted: 'STOPPED' };

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

function mailboxLines(m: MailboxProgress): string[] {
  const folders = m.folders.total === null || m.folders.total === m.folders.done ? String(m.folders.done) : `${m.folders.done}/${m.folders.total}`;
  const rate = m.messagesPerSecond === null ? '' : `${m.messagesPerSecond} msg/s`;
  const verification = m.verification ? `${m.verification.result}` : '';
  const who = m.sourceEmail === m.destinationEmail ? m.sourceEmail : `${m.sourceEmail} -> ${m.destinationEmail}`;
  const lines = [`  ${lpad(String(m.line ?? ''), 6)}  ${pad(STATE[m.state], 8)} ${lpad(folders, 7)} ${lpad(String(m.messages), 9)} ${lpad(formatBytes(m.bytes), 10)}  ${pad(rate, 12)} ${pad(verification, 5)} ${who}`];
  if (m.currentFolder !== null) lines.push(`          latest folder: ${m.currentFolder}`);
  if (m.budget) lines.push(`          byte budget: ${formatBytes(m.budget.usedBytes)} of ${formatBytes(m.budget.limitBytes)} read in this window${m.budget.resetsAt ? `; the next opens ${m.budget.resetsAt}` : ''}`);
  for (const e of m.errors) {
    lines.push(`          ${e.code}${e.folder !== undefined ? ` in folder "${e.folder}"` : ''}: ${e.message}`);
    lines.push(`            fix: ${e.fix}`);
  }
  return lines;
}

function batchLines(b: BatchProgress): string[] {
  const c = b.counts;
  const what = [b.status, b.phase ? `phase ${b.phase}` : '', b.pass ? `pass ${b.pass}` : '', b.mode === 'final' ? 'cut-over' : ''].filter(Boolean).join(', ');
  const lines = [
    `Batch ${b.id} (${what})${b.startedAt ? `, started ${b.startedAt}` : ''}`,
    `  ${b.total} mailboxes: ${c.completed} completed, ${c.withIssues} with issues, ${c.failed} failed, ${c.running} running, ${c.pending} waiting; ${c.messages} messages (${formatBytes(c.bytes)}) copied so far`,
    `  ${lpad('line', 6)}  ${pad('state', 8)} ${lpad('folders', 7)} ${lpad('messages', 9)} ${lpad('size', 10)}  ${pad('rate', 12)} ${pad('check', 5)} mailbox`,
    ...b.mailboxes.flatMap(mailboxLines),
  ];
  const shown = b.offset + b.mailboxes.length;
  if (shown < b.total || b.offset > 0) lines.push(`  (mailboxes ${b.offset + 1}-${shown} of ${b.total}; --offset and --limit show others)`);
  if (b.reportUrl) lines.push(`  report: ${b.reportUrl}`);
  return lines;
}

export function renderProgressText(view: ProgressView): string {
  if (view.batches.length === 0) return 'No batches yet.\n';
  return `${view.batches.map((b) => batchLines(b).map(terminalSafe).join('\n')).join('\n\n')}\n`;
}
