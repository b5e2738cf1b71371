import { describe, expect, it } from 'vitest';
import type { BatchReport } from '../../../../shared/contracts/report.js';
import { renderReportCsv } from '../../../../shared/domain/reports/report-csv.js';
import { renderReportHtml } from '../../../../shared/domain/reports/report-html.js';
import { writeBatchReportFiles } from '../../../../shared/engine/mailbox-pass/batch-report-files.js';

const totals = { folders: 0, copied: 0, copiedBytes: 0, copiedThisPass: 0, skipped: 0, failed: 0, alreadyPresent: 0 };
const report: BatchReport = {
  batchId: 'b-1', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T01:00:00Z',
  totals: { mailboxes: 1, completed: 1, withIssues: 0, failed: 0, copied: 0, copiedBytes: 0, skipped: 0, failedMessages: 0 },
  mailboxes: [{
    sourceEmail: 'Ann@X.com', destinationEmail: 'ann@y.com', state: 'completed', startedAt: '', finishedAt: '', folders: [], skippedFolders: [], renamedFolders: [], totals,
    verification: { sourceEmail: 'Ann@X.com', destinationEmail: 'ann@y.com', result: 'PASS', folders: [] },
  }],
};

describe('batch report files', () => {
  it('writes JSON (indented), CSV and HTML through the sink, in that order, with their content types', async () => {
    const put: [string, string, string][] = [];
    await writeBatchReportFiles(report, { put: async (extension, body, contentType) => void put.push([extension, body, contentType]) });
    expect(put.map(([e, , t]) => [e, t])).toEqual([['json', 'application/json'], ['csv', 'text/csv; charset=utf-8'], ['html', 'text/html; charset=utf-8']]);
    expect(put[0]![1]).toBe(JSON.stringify(report, null, 2));
  });

  it("a mailbox's verification result reaches the CSV and HTML whatever the case of its source address", async () => {
    const bodies = new Map<string, string>();
    await writeBatchReportFiles(report, { put: async (extension, body) => void bodies.set(extension, body) });
    const verification = new Map([['ann@x.com', 'PASS']]);
    expect(bodies.get('csv')).toBe(renderReportCsv(report, verification));
    expect(bodies.get('html')).toBe(renderReportHtml(report, verification));
    expect(bodies.get('csv')).toContain('PASS');
  });
});
