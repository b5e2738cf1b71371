import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '../../shared/config/settings.js';
import type { BatchReport } from '../../shared/contracts/report.js';
import type { MailboxControls } from '../../shared/contracts/mailbox-controls.js';
import { createEngine } from '../../shared/composition/create-engine.js';
import { runBatch } from '../../shared/engine/run-batch.js';
import type { MailboxLeases } from '../../shared/domain/leases/mailbox-lease.js';
import type { FaultProxy } from '../lab/fault-proxy.js';
import { labSettings, type LabInfo } from '../lab/lab-info.js';

export interface EngineRun {
  report: BatchReport;
  /** Engine log lines (retries, warnings), for assertions and failure messages. */
  log: string[];
  elapsedMs: number;
}

export interface RunOptions {
  source?: FaultProxy;
  destination?: FaultProxy;
  /** Settings over labSettings() (e.g. RANGE_MAX_MESSAGES, MAX_CONNECTIONS_PER_MAILBOX). */
  settings?: Record<string, string>;
  /** Reuse a state directory (a second pass); default a fresh one. */
  stateDir?: string;
  /** Mailboxes at once (default 4). */
  concurrency?: number;
  leases?: MailboxLeases;
  /** The rows' own controls, as CSV columns would give them. */
  controls?: MailboxControls;
  /** The cut-over pass (copy, carry flags, verify, close). */
  final?: boolean;
  /** The servers' round trip as the engine should believe it measured (ms): the far-server scheduling on the lab's loopback. */
  roundTripMs?: number;
  /** Called as ranges are copied (messages, bytes), e.g. to measure bytes over time. */
  onCopied?: (n: number, bytes: number) => void;
}

/**
 * One batch through the CLI's driver, in-process (runBatch + createEngine), with a file ledger
 * and a 50 ms first back-off, against the lab or through fault proxies in front of it.
 */
export async function runThroughEngine(lab: LabInfo, addresses: string[], opts: RunOptions = {}): Promise<EngineRun> {
  const env = labSettings(lab, {
    STORAGE_CONNECTION_STRING: '',
    STATE_DIR: opts.stateDir ?? mkdtempSync(join(tmpdir(), 'mailmig-reliability-')),
    ...(opts.source ? { SOURCE_IMAP_PORT: String(opts.source.port) } : {}),
    ...(opts.destination ? { DESTINATION_IMAP_PORT: String(opts.destination.port) } : {}),
    ...opts.settings,
  });
  const log: string[] = [];
  const engine = createEngine(loadSettings(env), env, { log: { info: (m) => log.push(m), warn: (m) => log.push(`warning: ${m}`) }, state: 'file' });
  const far = opts.roundTripMs;
  if (far !== undefined) engine.pool.roundTripMs = () => far;
  const started = Date.now();
  try {
    const rows = addresses.map((a, i) => ({ line: i + 2, sourceEmail: a, destinationEmail: a, ...(opts.controls ? { controls: opts.controls } : {}) }));
    const report = await runBatch(engine, rows, { batchId: `reliability-${started}`, concurrency: opts.concurrency ?? 4, retryBaseMs: 50, ...(opts.final ? { final: true } : {}), ...(opts.onCopied ? { onCopied: opts.onCopied } : {}), ...(opts.leases ? { leases: opts.leases } : {}) });
    return { report, log, elapsedMs: Date.now() - started };
  } finally {
    await engine.close();
  }
}
