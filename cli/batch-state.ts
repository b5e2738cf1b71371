import { hostname } from 'node:os';
import { join } from 'node:path';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import type { MailboxRow } from '../shared/contracts/mailbox.js';
import { mailboxPair } from '../shared/contracts/mailbox-pair.js';
import type { MailboxReport } from '../shared/contracts/report.js';
import { redact } from '../shared/errors/redact.js';

/**
 * What `mailmig status` reads of a run, under STATE_DIR/batches/<batch>/: `batch.json` (the rows,
 * who runs it, when it started and ended) and one `mailboxes/<line>.json` report per mailbox as it
 * finishes. The live counts of a running mailbox come from the checkpoint ledger.
 */
export interface CliBatchRecord {
  id: string;
  final: boolean;
  startedAt: string;
  host: string;
  pid: number;
  rows: MailboxRow[];
  finishedAt?: string;
  reportPath?: string;
}

export const batchesDir = (stateDir: string): string => join(stateDir, 'batches');
const dirOf = (stateDir: string, id: string): string => join(batchesDir(stateDir), id);
const mailboxFile = (stateDir: string, id: string, line: number): string => join(dirOf(stateDir, id), 'mailboxes', `${String(line).padStart(6, '0')}.json`);

/** Written whole or not at all: a status read never sees half a file. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

export class BatchStateWriter {
  private readonly lines = new Map<string, number>();

  private constructor(
    private readonly stateDir: string,
    private record: CliBatchRecord,
  ) {
    for (const r of record.rows) this.lines.set(mailboxPair(r).key, r.line);
  }

  static async start(stateDir: string, id: string, rows: readonly MailboxRow[], final: boolean): Promise<BatchStateWriter> {
    await mkdir(join(dirOf(stateDir, id), 'mailboxes'), { recursive: true });
    const w = new BatchStateWriter(stateDir, { id, final, startedAt: new Date().toISOString(), host: hostname(), pid: process.pid, rows: [...rows] });
    await w.save();
    return w;
  }

  private save(): Promise<void> {
    return writeAtomic(join(dirOf(this.stateDir, this.record.id), 'batch.json'), JSON.stringify(this.record));
  }

  /** A mailbox finished its pass: its report, as the batch report will hold it. */
  async mailboxDone(r: MailboxReport): Promise<void> {
    const line = this.lines.get(mailboxPair(r).key);
    if (line === undefined) return;
    await writeAtomic(mailboxFile(this.stateDir, this.record.id, line), redact(JSON.stringify(r)));
  }

  async finish(reportPath: string): Promise<void> {
    this.record = { ...this.record, finishedAt: new Date().toISOString(), reportPath };
    await this.save();
  }
}

export async function readBatchRecords(stateDir: string): Promise<CliBatchRecord[]> {
  const names = await readdir(batchesDir(stateDir)).catch(() => [] as string[]);
  const out: CliBatchRecord[] = [];
  for (const n of names) {
    const text = await readFile(join(batchesDir(stateDir), n, 'batch.json'), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    try {
      out.push(JSON.parse(text) as CliBatchRecord);
    } catch {
      // A record being replaced is read at the next status.
    }
  }
  return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

export async function readMailboxReport(stateDir: string, id: string, line: number): Promise<MailboxReport | undefined> {
  const text = await readFile(mailboxFile(stateDir, id, line), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as MailboxReport);
}
