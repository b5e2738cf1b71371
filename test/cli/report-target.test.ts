import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMailmigReport, refuseForeignReportTargets } from '../../cli/report-target.js';
import { renderReportCsv } from '../../shared/domain/reports/report-csv.js';
import { renderReportHtml } from '../../shared/domain/reports/report-html.js';
import type { BatchReport } from '../../shared/contracts/report.js';
import { UsageError } from '../../cli/usage-error.js';

const batch: BatchReport = {
  batchId: 'b', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z', mailboxes: [],
  totals: { mailboxes: 0, completed: 0, withIssues: 0, failed: 0, copied: 0, copiedBytes: 0, skipped: 0, failedMessages: 0 },
};

describe('--report targets', () => {
  it('our own JSON (batch, preflight, verification), CSV and HTML reports are recognised', () => {
    expect(isMailmigReport(JSON.stringify(batch, null, 2))).toBe(true);
    expect(isMailmigReport(JSON.stringify({ startedAt: 'x', finishedAt: 'y', mailboxes: [], totals: { mailboxes: 0 } }))).toBe(true);
    expect(isMailmigReport(JSON.stringify([{ sourceEmail: 'a@x', destinationEmail: 'a@y', result: 'PASS', folders: [] }]))).toBe(true);
    expect(isMailmigReport(renderReportCsv(batch))).toBe(true);
    expect(isMailmigReport(renderReportHtml(batch))).toBe(true);
  });

  it('an input CSV, other JSON and other text are not ours', () => {
    expect(isMailmigReport('SourceEmail,DestinationEmail\r\na@x,a@y\r\n')).toBe(false);
    expect(isMailmigReport('Email\r\na@x\r\n')).toBe(false);
    expect(isMailmigReport('{"IsEncrypted":false,"Values":{}}')).toBe(false);
    expect(isMailmigReport('[1,2]')).toBe(false);
    expect(isMailmigReport('')).toBe(false);
  });

  it('a file that is not a report is refused with a usage error naming it; absent files and our reports pass', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailmig-report-'));
    const csv = join(dir, 'batch.csv');
    const ours = join(dir, 'old.json');
    writeFileSync(csv, 'Email\r\na@x\r\n');
    writeFileSync(ours, JSON.stringify(batch));
    await expect(refuseForeignReportTargets([join(dir, 'new.json'), ours])).resolves.toBeUndefined();
    const refused = refuseForeignReportTargets([join(dir, 'r.json'), csv]);
    await expect(refused).rejects.toBeInstanceOf(UsageError);
    await expect(refused).rejects.toThrow(`refused: ${csv} exists and is not a mailmig report`);
    await expect(refuseForeignReportTargets([dir])).rejects.toThrow('is not a mailmig report');
  });
});
