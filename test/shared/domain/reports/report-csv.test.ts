import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { csvCell } from '../../../../shared/domain/reports/csv-cell.js';
import { renderReportCsv } from '../../../../shared/domain/reports/report-csv.js';
import { renderReportHtml } from '../../../../shared/domain/reports/report-html.js';
import type { BatchReport } from '../../../../shared/contracts/report.js';

const hostile = ['=HYPERLINK("http://evil","x")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1'];

function report(folder: string): BatchReport {
  return {
    batchId: 'b-1', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T01:00:00Z',
    totals: { mailboxes: 1, completed: 0, withIssues: 1, failed: 0, copied: 3, copiedBytes: 30, skipped: 1, failedMessages: 0 },
    mailboxes: [{
      sourceEmail: 'a@x.com', destinationEmail: 'a@y.com', state: 'completed-with-issues', startedAt: '', finishedAt: '', skippedFolders: [], renamedFolders: [], error: undefined,
      totals: { folders: 1, copied: 3, copiedBytes: 30, copiedThisPass: 3, skipped: 1, failed: 0, alreadyPresent: 0 },
      folders: [{ sourcePath: folder, destinationPath: folder, state: 'copied', messagesAtSource: 4, copied: 3, copiedBytes: 30, alreadyPresent: 0, skippedCount: 1, failedCount: 0, droppedKeywords: 0, vanished: 2, skipped: [{ uid: 4, size: 9, code: 'MESSAGE_TOO_LARGE', reason: '<script>alert(1)</script>' }], failed: [], copiedThisPass: 3 }],
    }],
  };
}

describe('reports', () => {
  for (const h of hostile) {
    it(`csv: a cell starting with ${JSON.stringify(h[0])} is neutralised and still round-trips as text`, () => {
      const csv = renderReportCsv(report(h));
      const rows = parse(csv, { bom: true, relax_column_count: false }) as string[][];
      const cell = rows[1]![3]!;
      expect(cell).toBe(`'${h}`);
      expect(/^[=+\-@\t\r]/.test(cell)).toBe(false);
    });
  }

  it('csv: ordinary values are left alone; numbers are not prefixed', () => {
    expect(csvCell('Inbox')).toBe('Inbox');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell('a,b')).toBe('"a,b"');
  });

  it('folders left out by the controls get their own rows with the pattern, and the date window is on every row of the mailbox', () => {
    const r = report('<b>Junk</b>');
    r.mailboxes[0]!.excludedFolders = [{ sourcePath: '<b>Junk</b>', rule: 'exclude', pattern: 'Junk*' }];
    r.mailboxes[0]!.dateWindow = { since: '2024-01-01' };
    const rows = parse(renderReportCsv(r), { bom: true, relax_column_count: false }) as string[][];
    const state = rows[0]!.indexOf('FolderState');
    const by = rows[0]!.indexOf('LeftOutBy');
    const excluded = rows.find((row) => row[state] === 'excluded')!;
    expect(excluded[by]).toBe('excluded by pattern "Junk*"');
    expect(rows.slice(1).every((row) => row[rows[0]!.indexOf('DateWindow')] === 'since 2024-01-01')).toBe(true);
    const html = renderReportHtml(r);
    expect(html).toContain('folder &lt;b&gt;Junk&lt;/b&gt; left out: excluded by pattern &quot;Junk*&quot;');
    expect(html).toContain('date window: messages dated since 2024-01-01');
  });

  it('a repaired folder says so and why in all three renderings: its own CSV column, an HTML line with the folder name escaped', () => {
    const r = report('<b>Archive</b>');
    const repaired = { reason: 'DESTINATION_FOLDER_RECREATED' as const, detail: 'the destination folder was recreated since the last pass (UIDVALIDITY 7, was 3); compared with what it holds and refilled' };
    r.mailboxes[0]!.folders[0]!.repaired = repaired;
    const rows = parse(renderReportCsv(r), { bom: true, relax_column_count: false }) as string[][];
    const column = rows[0]!.indexOf('Repaired');
    expect(column).toBeGreaterThan(0);
    expect(rows[1]![column]).toBe(`${repaired.reason}: ${repaired.detail}`);
    const html = renderReportHtml(r);
    expect(html).toContain(`&lt;b&gt;Archive&lt;/b&gt;: repaired (${repaired.reason}`);
    expect(html).not.toContain('<b>Archive');
    expect((JSON.parse(JSON.stringify(r)) as BatchReport).mailboxes[0]!.folders[0]!.repaired).toEqual(repaired);
  });

  it('html: user-supplied text is escaped', () => {
    const html = renderReportHtml(report('<img src=x onerror=alert(1)>'));
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('1</strong> with issues');
  });

  it('csv and html: messages expunged at the source while being copied are counted in both', () => {
    const rows = parse(renderReportCsv(report('Inbox')), { bom: true }) as string[][];
    expect(rows[1]![rows[0]!.indexOf('Vanished')]).toBe('2');
    expect(renderReportHtml(report('Inbox'))).toContain('Inbox: 2 expunged at the source while being copied');
  });
});
