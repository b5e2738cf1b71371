import { describe, expect, it } from 'vitest';
import { chatSafe, mailboxFailed, passEnded, worthTelling } from '../../../../shared/domain/notifications/notification.js';
import type { BatchReport, MailboxReport } from '../../../../shared/contracts/report.js';

const mailbox = (over: Partial<MailboxReport> = {}): MailboxReport => ({
  sourceEmail: 'a@contoso.example',
  destinationEmail: 'b@fabrikam.example',
  state: 'failed',
  folders: [],
  skippedFolders: [],
  renamedFolders: [],
  totals: { folders: 0, copied: 0, copiedBytes: 0, copiedThisPass: 0, skipped: 0, failed: 0, alreadyPresent: 0 },
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:01:00.000Z',
  ...over,
});
const at = new Date('2026-01-01T00:02:00.000Z');

describe('notification payloads', () => {
  it('chatSafe: Slack markup (<!channel>, links, entities) and line breaks in mailbox text are made inert', () => {
    expect(chatSafe('<!channel> <http://x|y> & a\r\nPASS')).toBe('&lt;!channel&gt; &lt;http://x|y&gt; &amp; a  PASS');
  });

  it('mailboxFailed: the code, its fix and the addresses; a hostile error message stays a plain field, out of the text line', () => {
    const n = mailboxFailed(mailbox({ error: { code: 'FOLDER_NAME_REJECTED', message: 'folder "<!here>\nPASS" refused' } }), { driver: 'functions', batchId: 'b-1', pass: 2, at }, 7);
    expect(n).toMatchObject({ source: 'mailmig', event: 'mailbox-failed', pass: 2, at: at.toISOString(), mailbox: { line: 7, error: { code: 'FOLDER_NAME_REJECTED', message: 'folder "<!here>\nPASS" refused' } } });
    expect(n.mailbox?.error.fix).toMatch(/rename the folder/);
    expect(n.text).not.toContain('<!here>');
    expect(n.text).toContain('FOLDER_NAME_REJECTED');
    // JSON escapes the newline: the payload is data, whatever the message holds.
    expect(JSON.stringify(n)).toContain('\\nPASS');
  });

  it('mailboxFailed: a mailbox failed by a folder error names that folder error', () => {
    const folder = { sourcePath: 'X', destinationPath: 'X', state: 'failed' as const, messagesAtSource: 1, copied: 0, copiedBytes: 0, alreadyPresent: 0, skippedCount: 0, failedCount: 0, droppedKeywords: 0, vanished: 0, skipped: [], failed: [], copiedThisPass: 0, error: { code: 'OVER_QUOTA', message: 'quota' } };
    expect(mailboxFailed(mailbox({ folders: [folder] }), { driver: 'cli', batchId: 'x', at }).mailbox?.error.code).toBe('OVER_QUOTA');
  });

  it('passEnded: a copy pass is pass-ended without verification; the cut-over is batch-ended with PASS/FAIL counts', () => {
    const report: BatchReport = {
      batchId: 'b-1',
      startedAt: '',
      finishedAt: '',
      mailboxes: [mailbox({ state: 'completed', verification: { result: 'PASS' } as MailboxReport['verification'] }), mailbox()],
      totals: { mailboxes: 2, completed: 1, withIssues: 0, failed: 1, copied: 10, copiedBytes: 2048, skipped: 0, failedMessages: 0 },
    };
    const pass = passEnded(report, { driver: 'functions', batchId: 'b-1', pass: 1, at }, false);
    expect(pass).toMatchObject({ event: 'pass-ended', pass: 1, totals: { mailboxes: 2, completed: 1, failed: 1, copied: 10, copiedBytes: 2048 } });
    expect(pass.verification).toBeUndefined();
    expect(pass.text).toBe('mailmig: pass 1 of batch b-1 ended: 2 mailboxes, 1 completed, 0 with issues, 1 failed; 10 messages (2.0 KB) copied in all.');
    const end = passEnded(report, { driver: 'functions', batchId: 'b-1', pass: 2, at }, true);
    expect(end).toMatchObject({ event: 'batch-ended', verification: { passed: 1, failed: 0 } });
  });

  it('worthTelling: failed mailboxes are told, except those the batch never started (told once in the pass)', () => {
    expect(worthTelling(mailbox({ error: { code: 'IMAP_AUTH_FAILED', message: '' } }))).toBe(true);
    expect(worthTelling(mailbox({ error: { code: 'BATCH_STOPPED', message: '' } }))).toBe(false);
    expect(worthTelling(mailbox({ state: 'completed-with-issues' }))).toBe(false);
  });
});
