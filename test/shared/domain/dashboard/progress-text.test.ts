import { describe, expect, it } from 'vitest';
import { renderProgressText } from '../../../../shared/domain/dashboard/progress-text.js';
import type { ProgressView } from '../../../../shared/domain/dashboard/progress-view.js';

describe('renderProgressText: the live view on a terminal', () => {
  it('escape sequences, CR/LF and bidi overrides in folder names and server messages are shown, not acted on', () => {
    const view: ProgressView = {
      generatedAt: '',
      batches: [
        {
          id: 'b',
          status: 'running',
          phase: null,
          pass: null,
          mode: 'copy',
          total: 1,
          startedAt: null,
          counts: { pending: 0, running: 1, completed: 0, withIssues: 0, failed: 0, messages: 3, bytes: 3000 },
          offset: 0,
          reportUrl: null,
          mailboxes: [
            {
              line: 2,
              sourceEmail: 'a@contoso.example',
              destinationEmail: 'a@contoso.example',
              state: 'running',
              folders: { done: 1, total: null },
              currentFolder: 'Evil\x1b]0;pwned\x07\u202eTXT',
              messages: 3,
              bytes: 3000,
              messagesPerSecond: null,
              errors: [{ code: 'IMAP_COMMAND_FAILED', message: 'no\r\nPASS  forged line', fix: 'f', folder: 'X\x1b[2J' }],
              verification: null,
              startedAt: null,
              finishedAt: null,
              budget: { usedBytes: 3 * 1048576, limitBytes: 10 * 1048576, resetsAt: '2026-01-02T08:00:00.000Z' },
            },
          ],
        },
      ],
    };
    const text = renderProgressText(view);
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\u202e]/);
    expect(text).toContain('latest folder: Evil\\x1b]0;pwned\\x07\\u202eTXT');
    expect(text).toContain('IMAP_COMMAND_FAILED in folder "X\\x1b[2J": no\\x0d\\x0aPASS  forged line');
    expect(text.split('\n').filter((l) => l.startsWith('PASS'))).toEqual([]);
    expect(text).toContain('byte budget: 3.0 MB of 10.0 MB read in this window; the next opens 2026-01-02T08:00:00.000Z');
  });

  it('no runs yet', () => {
    expect(renderProgressText({ generatedAt: '', batches: [] })).toBe('No batches yet.\n');
  });
});
