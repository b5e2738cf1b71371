import { execFileSync } from 'node:child_process';
import { basename, join } from 'node:path';
import { compareSnapshots, snapshotMailbox, type MailboxSnapshot } from '../test/lab/snapshot.js';
import { mailmigJob, writeMailmigRun, type MailmigRun } from './mailmig.js';
import { run, runAll, type Measured } from './measure.js';
import { delayCpuSeconds, machineBusySeconds, serverCpuSeconds } from './server-cpu.js';
import { mbsyncJob, writeMbsyncConfig, type MbsyncPair } from './mbsync.js';
import { DESTINATION_MAX_MAIL_BYTES, statusCounts, type BenchLab } from './setup.js';

/**
 * The measured runs. Every run copies into destination mailboxes of its own (fresh), from the
 * same source mailboxes on the same PLAIN source server.
 */

export interface Pair {
  source: string;
  destination: string;
}

export class Scenarios {
  /** Warnings mailmig printed during measured runs (retries, refused messages): none expected in a clean lab. */
  readonly warnings: string[] = [];

  constructor(
    private readonly b: BenchLab,
    private readonly workDir: string,
  ) {}

  private side(port: number): { port: number; passwords: Map<string, string> } {
    return { port, passwords: this.b.passwords };
  }

  /** Writes a mailmig run (settings, secrets, CSV) into its own directory. */
  mailmigRun(name: string, pairs: Pair[], concurrency: number, extra: Record<string, string> = {}, ports?: { source: number; destination: number }): MailmigRun {
    const info = this.b.info;
    return writeMailmigRun(
      join(this.workDir, name),
      this.side(ports?.source ?? info.imap.source.tlsPort),
      this.side(ports?.destination ?? info.imap.destination.tlsPort),
      pairs.map((p) => [p.source, p.destination]),
      { MAX_MESSAGE_BYTES: String(DESTINATION_MAX_MAIL_BYTES), MAX_CONCURRENT_MAILBOXES: String(concurrency), ...extra },
    );
  }

  async mailmig(r: MailmigRun, concurrency: number): Promise<Measured> {
    const job = mailmigJob(r, concurrency);
    const m = await this.withServerCpu(() => run(job.command, job.args));
    if (m.code !== 0) throw new Error(`mailmig migrate exited ${String(m.code)}:\n${m.stdout.slice(-2000)}\n${m.stderr.slice(-2000)}`);
    for (const line of m.stderr.split('\n')) if (line.startsWith('warning:')) this.warnings.push(`${basename(r.dir)}: ${line}`);
    return m;
  }

  /**
   * The servers' CPU during a run (their last processes end just after the client's LOGOUT).
   * Earlier runs' writes are flushed to disk first: no run pays for another's writeback.
   */
  private async withServerCpu(fn: () => Promise<Measured>): Promise<Measured> {
    execFileSync('sync');
    const before = serverCpuSeconds(this.b.info.dir);
    const busy = machineBusySeconds();
    const delay = delayCpuSeconds();
    const m = await fn();
    const machineCpuSeconds = machineBusySeconds() - busy;
    const delayCpu = delayCpuSeconds() - delay;
    await new Promise((r) => setTimeout(r, 200));
    return { ...m, serverCpuSeconds: serverCpuSeconds(this.b.info.dir) - before, machineCpuSeconds, delayCpuSeconds: delayCpu };
  }

  private mbsyncPairs(pairs: Pair[], ports?: { source: number; destination: number }): MbsyncPair[] {
    const info = this.b.info;
    const login = (port: number, user: string): { port: number; user: string; pass: string } => ({ port, user, pass: this.b.passwords.get(user)! });
    return pairs.map((p, i) => ({
      name: `ch${i}`,
      far: login(ports?.source ?? info.imap.source.tlsPort, p.source),
      near: login(ports?.destination ?? info.imap.destination.tlsPort, p.destination),
    }));
  }

  /** mbsync, one process per mailbox, `parallel` at a time. */
  async mbsync(name: string, pairs: Pair[], parallel: number, ports?: { source: number; destination: number }): Promise<Measured> {
    const mp = this.mbsyncPairs(pairs, ports);
    const config = writeMbsyncConfig(join(this.workDir, name), mp, this.b.info.caPath);
    const m = await this.withServerCpu(() => runAll(mp.map((p) => mbsyncJob(config, p.name)), parallel));
    if (m.code !== 0) throw new Error(`mbsync (${name}) failed:\n${m.stderr.slice(-3000)}`);
    return m;
  }

  /** Destination equals source message by message (hash, size, flags, INTERNALDATE). */
  async verifyExact(pairs: Pair[], sources: Map<string, MailboxSnapshot>): Promise<string[]> {
    const problems: string[] = [];
    for (const p of pairs) {
      const src = sources.get(p.source) ?? (await snapshotMailbox(this.b.info, 'source', p.source, { rangeSize: 50 }));
      sources.set(p.source, src);
      const dst = await snapshotMailbox(this.b.info, 'destination', p.destination, { rangeSize: 50 });
      const cmp = compareSnapshots(src, dst);
      if (!cmp.equal) problems.push(`${p.destination}: ${cmp.diffs.length} differences, e.g. ${cmp.diffs.slice(0, 3).join('; ')}`);
    }
    return problems;
  }

  /** Same message count per folder (mbsync adds X-TUID, so hashes cannot match). */
  async verifyCounts(pairs: Pair[]): Promise<string[]> {
    const problems: string[] = [];
    for (const p of pairs) {
      const [a, b] = await Promise.all([statusCounts(this.b.info, 'source', p.source), statusCounts(this.b.info, 'destination', p.destination)]);
      const sorted = (r: Record<string, number>): string => JSON.stringify(Object.entries(r).sort(([x], [y]) => (x < y ? -1 : 1)));
      if (sorted(a) !== sorted(b)) problems.push(`${p.destination}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
    return problems;
  }
}
