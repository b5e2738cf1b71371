import { addressKey } from '../../contracts/mailbox-pair.js';
import type { BatchReport } from '../../contracts/report.js';
import { renderReportCsv } from '../../domain/reports/report-csv.js';
import { renderReportHtml, type LiveView } from '../../domain/reports/report-html.js';

/** Where a batch report's three renderings go: files for the CLI, blobs for the app. */
export interface ReportSink {
  put(extension: 'json' | 'csv' | 'html', body: string, contentType: string): Promise<void>;
}

/** The batch report as JSON (indented), CSV and HTML, written in that order through one sink. */
export async function writeBatchReportFiles(report: BatchReport, sink: ReportSink, live?: LiveView): Promise<void> {
  const verification = new Map(report.mailboxes.filter((m) => m.verification).map((m) => [addressKey(m.sourceEmail), m.verification!.result]));
  await sink.put('json', JSON.stringify(report, null, 2), 'application/json');
  await sink.put('csv', renderReportCsv(report, verification), 'text/csv; charset=utf-8');
  await sink.put('html', renderReportHtml(report, verification, live), 'text/html; charset=utf-8');
}
