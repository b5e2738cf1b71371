import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import type { FolderReport, MailboxReport } from '../../../../shared/contracts/report.js';
import type { FolderVerification, MailboxVerification } from '../../../../shared/contracts/verification.js';
import { archivedOnlyReport, archivedOnlyTotals } from '../../../../shared/domain/reports/archived-only-report.js';
import { renderReportCsv } from '../../../../shared/domain/reports/report-csv.js';
import { renderReportHtml } from '../../../../shared/domain/reports/report-html.js';
import { summariseMailbox } from '../../../../shared/engine/summarise.js';
import { batchReport } from '../../../../shared/engine/mailbox-pass/batch-report.js';

function folder(sourcePath: string, destinationPath: string, counts: Partial<FolderReport> = {}): FolderReport {
  return { sourcePath, destinationPath, state: 'copied', messagesAtSource: 10, copied: 0, copiedBytes: 0, alreadyPresent: 0, skippedCount: 0, failedCount: 0, droppedKeywords: 0, vanished: 0, skipped: [], failed: [], copiedThisPass: 0, ...counts };
}

function verified(sourcePath: string, destinationPath: string, sourceCount: number, missing: number): FolderVerification {
  return { sourcePath, destinationPath, identity: 'header-hash+size', sourceCount, destinationCount: sourceCount - missing, missing: [], accounted: [], duplicated: [], extra: [], counts: { missing, accounted: 0, duplicated: 0, extra: 0 }, result: missing === 0 ? 'PASS' : 'FAIL' };
}

const HOSTILE = '<img src=x onerror=alert(1)>&"Archive"';

/** A Gmail-like mailbox: INBOX, a label, and All Mail (10 messages, of which 3 archived-only were copied this pass and 1 found already there). */
function gmailMailbox(email: string, verification?: MailboxVerification, archive = 'Archive'): MailboxReport {
  return summariseMailbox({
    sourceEmail: email,
    destinationEmail: email,
    startedAt: '2026-01-01T00:00:00Z',
    folders: [
      folder('INBOX', 'INBOX', { copied: 4, copiedThisPass: 4 }),
      folder('Work', 'Work', { copied: 2, copiedThisPass: 2 }),
      folder('[Gmail]/All Mail', archive, { copied: 3, copiedThisPass: 3, alreadyPresent: 1, archivedOnly: true }),
    ],
    skippedFolders: [],
    renamedFolders: [],
    ...(verification ? { verification } : {}),
  }, '2026-01-01T01:00:00Z');
}

const plain = (email: string): MailboxReport => summariseMailbox({ sourceEmail: email, destinationEmail: email, startedAt: '', folders: [folder('INBOX', 'INBOX', { copied: 5, copiedThisPass: 5 })], skippedFolders: [], renamedFolders: [] }, '');

describe('archived-only counts in the report', () => {
  it('a mailbox with an \\All folder reports its archived-only messages as a field: this pass, in all (copied + found there), and where they went', () => {
    expect(gmailMailbox('a@x.com').archivedOnly).toEqual({ sourcePath: '[Gmail]/All Mail', destinationPath: 'Archive', copiedThisPass: 3, total: 4 });
  });

  it("at cut-over the count verified comes from All Mail's verification: archived-only at the source, and found in the archive folder", () => {
    const v: MailboxVerification = { sourceEmail: 'a@x.com', destinationEmail: 'a@x.com', result: 'FAIL', folders: [verified('INBOX', 'INBOX', 4, 0), verified('[Gmail]/All Mail', 'Archive', 5, 1)] };
    expect(gmailMailbox('a@x.com', v).archivedOnly?.verified).toEqual({ atSource: 5, inArchive: 4, result: 'FAIL' });
  });

  it('a mailbox without an \\All folder has no archived-only field, and a batch of those has no archived-only totals', () => {
    expect(plain('b@x.com').archivedOnly).toBeUndefined();
    expect(archivedOnlyReport(plain('b@x.com').folders)).toBeUndefined();
    expect(batchReport('b', '', [plain('b@x.com')]).totals.archivedOnly).toBeUndefined();
  });

  it('the batch sums the mailboxes that have one; verified figures only over the verified ones', () => {
    const v: MailboxVerification = { sourceEmail: 'a@x.com', destinationEmail: 'a@x.com', result: 'PASS', folders: [verified('[Gmail]/All Mail', 'Archive', 4, 0)] };
    const mailboxes = [gmailMailbox('a@x.com', v), gmailMailbox('c@x.com'), plain('b@x.com')];
    expect(archivedOnlyTotals(mailboxes)).toEqual({ mailboxes: 2, copiedThisPass: 6, total: 8, verifiedAtSource: 4, verifiedInArchive: 4 });
    expect(batchReport('b', '', mailboxes).totals.archivedOnly).toEqual({ mailboxes: 2, copiedThisPass: 6, total: 8, verifiedAtSource: 4, verifiedInArchive: 4 });
  });

  it("csv: the counts are in their own labelled columns on the \\All folder's row only, so a column's sum is the batch's", () => {
    const report = batchReport('b', '', [gmailMailbox('a@x.com'), gmailMailbox('c@x.com'), plain('b@x.com')]);
    const rows = parse(renderReportCsv(report), { bom: true, relax_column_count: false }) as string[][];
    const header = rows[0]!;
    const col = (name: string): number => header.indexOf(name);
    expect(col('ArchivedOnlyCopiedThisPass')).toBeGreaterThan(0);
    const sum = (name: string): number => rows.slice(1).reduce((n, r) => n + Number(r[col(name)] || 0), 0);
    expect(sum('ArchivedOnlyCopiedThisPass')).toBe(6);
    expect(sum('ArchivedOnlyTotal')).toBe(8);
    const allMailRow = rows.find((r) => r[0] === 'a@x.com' && r[3] === '[Gmail]/All Mail')!;
    expect([allMailRow[col('ArchivedOnlyCopiedThisPass')], allMailRow[col('ArchivedOnlyTotal')], allMailRow[col('ArchivedOnlyVerifiedAtSource')]]).toEqual(['3', '4', '']);
    expect(rows.find((r) => r[0] === 'a@x.com' && r[3] === 'INBOX')![col('ArchivedOnlyTotal')]).toBe('');
  });

  it('html: a column and a batch line say how many archived-only messages went to the archive folder; a hostile archive folder name stays escaped', () => {
    const v: MailboxVerification = { sourceEmail: 'a@x.com', destinationEmail: 'a@x.com', result: 'PASS', folders: [verified('[Gmail]/All Mail', HOSTILE, 4, 0)] };
    const html = renderReportHtml(batchReport('b', '', [gmailMailbox('a@x.com', v, HOSTILE), plain('b@x.com')]));
    expect(html).toContain('<th>Archived-only (All Mail → archive folder): this pass / in all / verified</th>');
    expect(html).toContain('<strong>3</strong> copied to the archive folder this pass, <strong>4</strong> there in all; verified at cut-over: 4 of 4 found in the archive folder.');
    expect(html).toContain('<td>3 / 4 / 4 of 4 (PASS)<br>into <code>&lt;img src=x onerror=alert(1)&gt;&amp;&quot;Archive&quot;</code></td>');
    expect(html).not.toContain('<img');
  });

  it('html: a batch with no \\All folder anywhere has no archived-only column or line', () => {
    const html = renderReportHtml(batchReport('b', '', [plain('b@x.com')]));
    expect(html).not.toMatch(/archived-only/i);
  });
});
