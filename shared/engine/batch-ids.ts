import { createHash } from 'node:crypto';

const h = (parts: readonly (string | Buffer)[]): string => {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p).update('\0');
  return hash.digest('hex').slice(0, 32);
};

/**
 * A batch's instance id from where its CSV came from and what it holds: a duplicate Event Grid
 * delivery or a re-upload of the same file maps to the same id and starts nothing new. Only
 * hex digits: blob names with spaces, unicode, '..' or 1,000 characters never reach an id or a path.
 */
export function batchIdForBlob(container: string, blobName: string, content: Buffer): string {
  return `b-${h([container, blobName, createHash('sha256').update(content).digest('hex')])}`;
}

export function batchIdForBody(content: Buffer): string {
  return `b-${h(['http', createHash('sha256').update(content).digest('hex')])}`;
}

export const reportPaths = {
  mailbox: (batchId: string, line: number): string => `${batchId}/mailboxes/${String(line).padStart(6, '0')}.json`,
  mailboxPrefix: (batchId: string): string => `${batchId}/mailboxes/`,
  batchJson: (batchId: string): string => `${batchId}/report.json`,
  uploadedCsv: (batchId: string): string => `api/${batchId}.csv`,
  /** One small record per batch started (id, CSV reference, rows, start): how the dashboard finds batches. */
  batchRecord: (batchId: string): string => `batches/${batchId}.json`,
  batchRecordPrefix: 'batches/',
};
