import { describe, expect, it } from 'vitest';
import { mailboxProgress } from '../../../../shared/domain/dashboard/progress-view.js';
import { emptyCheckpoint } from '../../../../shared/domain/checkpoints/folder-checkpoint.js';
import type { MailboxReport } from '../../../../shared/contracts/report.js';

const row = { line: 2, sourceEmail: 'a@contoso.example', destinationEmail: 'a@fabrikam.example' };
const cp = (path: string, copied: number, bytes: number, at: string) => ({ ...emptyCheckpoint(path, path, '1', at), copied, copiedBytes: bytes });
const report: MailboxReport = {
  ...row,
  state: 'completed-with-issues',
  folders: [{ sourcePath: '<b>x</b>', destinationPath: 'x', state: 'failed', messagesAtSource: 3, copied: 1, copiedBytes: 10, alreadyPresent: 0, skippedCount: 0, failedCount: 0, droppedKeywords: 0, vanished: 0, skipped: [], failed: [], copiedThisPass: 1, error: { code: 'FOLDER_NAME_REJECTED', message: 'no' } }],
  skippedFolders: [],
  renamedFolders: [],
  totals: { folders: 1, copied: 40, copiedBytes: 4000, copiedThisPass: 20, skipped: 0, failed: 0, alreadyPresent: 0 },
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:10.000Z',
};

describe('mailboxProgress: one mailbox line of the live view', () => {
  it('running: counts from the ledger, the latest folder that copied something, no rate (the page measures it)', () => {
    const p = mailboxProgress({ row, run: 'running', checkpoints: [cp('INBOX', 5, 500, '2026-01-01T00:00:01Z'), cp('Archive', 3, 300, '2026-01-01T00:00:03Z'), cp('Empty', 0, 0, '2026-01-01T00:00:09Z')] });
    expect(p).toMatchObject({ state: 'running', folders: { done: 3, total: null }, currentFolder: 'Archive', messages: 8, bytes: 800, messagesPerSecond: null, errors: [] });
  });

  it('finished: the report decides — state, totals, average rate of this pass, each error with its fix and folder', () => {
    const p = mailboxProgress({ row, run: 'finished', report });
    expect(p).toMatchObject({ state: 'completed-with-issues', folders: { done: 1, total: 1 }, messages: 40, bytes: 4000, messagesPerSecond: 2, currentFolder: null });
    expect(p.errors).toEqual([{ code: 'FOLDER_NAME_REJECTED', message: 'no', folder: '<b>x</b>', fix: expect.stringMatching(/rename the folder/) }]);
  });

  it("not started in this pass: pending, with the last pass's totals; a pass whose run died is interrupted", () => {
    expect(mailboxProgress({ row, run: 'not-started', report })).toMatchObject({ state: 'pending', messages: 40, errors: [] });
    expect(mailboxProgress({ row, run: 'interrupted' }).state).toBe('interrupted');
  });

  it("running under a byte budget: the window's bytes and when the next opens; none once the window is over, or without a budget, or once finished", () => {
    const limits = { bytesPerWindow: 1000, windowMs: 60_000 };
    const window = { startedAt: '2026-01-01T00:00:00.000Z', bytes: 900 };
    const at = (s: number): number => Date.parse('2026-01-01T00:00:00.000Z') + s * 1000;
    expect(mailboxProgress({ row, run: 'running', budget: { window, limits, nowMs: at(30) } }).budget).toEqual({ usedBytes: 900, limitBytes: 1000, resetsAt: '2026-01-01T00:01:00.000Z' });
    expect(mailboxProgress({ row, run: 'running', budget: { window, limits, nowMs: at(60) } }).budget).toEqual({ usedBytes: 0, limitBytes: 1000, resetsAt: null });
    expect(mailboxProgress({ row, run: 'running', budget: { limits, nowMs: at(1) } }).budget).toEqual({ usedBytes: 0, limitBytes: 1000, resetsAt: null });
    expect(mailboxProgress({ row, run: 'running', budget: { window, limits: { ...limits, bytesPerWindow: 0 }, nowMs: at(1) } }).budget).toBeNull();
    expect(mailboxProgress({ row, run: 'running' }).budget).toBeNull();
    expect(mailboxProgress({ row, run: 'finished', report, budget: { window, limits, nowMs: at(1) } }).budget).toBeNull();
  });
});
