import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs child processes and measures them: wall time, CPU time and peak RSS. Peak RSS is the
 * larger of GNU time's %M (exact, per process) and the sampled sum of VmRSS over the process
 * tree (catches several children at once, e.g. parallel mbsyncs).
 */

export interface Measured {
  wallMs: number;
  /** user + system CPU of the measured processes, seconds. */
  cpuSeconds: number;
  /** CPU of the lab's servers meanwhile, seconds (server-cpu.ts), where measured. */
  serverCpuSeconds?: number;
  /** Busy seconds of all the machine's cores meanwhile (server-cpu.ts), where measured. */
  machineCpuSeconds?: number;
  /** CPU of the WAN delay program meanwhile, seconds (server-cpu.ts), where measured. */
  delayCpuSeconds?: number;
  peakRssBytes: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';

async function treeRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  let children: number[] = [];
  for (const t of tasks) {
    const text = await readFile(`/proc/${pid}/task/${t}/children`, 'utf8').catch(() => '');
    children = children.concat(text.split(/\s+/).filter(Boolean).map(Number));
  }
  const sub = await Promise.all(children.map((c) => treeRss(c)));
  return rss + sub.reduce((a, b) => a + b, 0);
}

/** Samples the summed RSS of the given process trees every `everyMs` until stopped. */
export class RssSampler {
  private readonly roots = new Set<number>();
  private peak = 0;
  private timer?: NodeJS.Timeout;
  private busy = false;

  start(everyMs = 25): void {
    this.timer = setInterval(() => {
      if (this.busy || this.roots.size === 0) return;
      this.busy = true;
      void Promise.all([...this.roots].map((p) => treeRss(p))) // fire-and-forget on a timer: treeRss never rejects, `busy` serialises samples
        .then((r) => (this.peak = Math.max(this.peak, r.reduce((a, b) => a + b, 0))))
        .finally(() => (this.busy = false));
    }, everyMs);
  }

  add(pid: number): void {
    this.roots.add(pid);
  }

  remove(pid: number): void {
    this.roots.delete(pid);
  }

  stop(): number {
    clearInterval(this.timer);
    return this.peak;
  }
}

let seq = 0;

/** One process under GNU time (when installed), its RSS sampled into `sampler` too. */
export async function run(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv; sampler?: RssSampler; timeoutMs?: number } = {}): Promise<Measured> {
  const timeFile = join(tmpdir(), `mailmig-bench-time-${process.pid}-${++seq}.txt`);
  const timed = existsSync(GNU_TIME);
  const [cmd, argv] = timed ? [GNU_TIME, ['-f', '%M %U %S', '-o', timeFile, command, ...args]] : [command, args];
  const started = process.hrtime.bigint();
  const child = spawn(cmd, argv, { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const own = opts.sampler ?? new RssSampler();
  if (!opts.sampler) own.start();
  if (child.pid !== undefined) own.add(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-200_000)));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-200_000)));
  const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.pid !== undefined) own.remove(child.pid);
  const sampled = opts.sampler ? 0 : own.stop();
  const [maxKb, user, sys] = timed ? (await readFile(timeFile, 'utf8').catch(() => '')).trim().split('\n').pop()!.split(' ').map(Number) : [];
  return { wallMs, cpuSeconds: (user ?? 0) + (sys ?? 0), peakRssBytes: Math.max(sampled, (maxKb ?? 0) * 1024), code, stdout, stderr };
}

/** Several processes, at most `parallel` at once, measured as one job (wall time, summed CPU, peak tree RSS). */
export async function runAll(jobs: { command: string; args: string[]; env?: NodeJS.ProcessEnv }[], parallel: number): Promise<Measured & { failures: string[] }> {
  const sampler = new RssSampler();
  sampler.start();
  const started = process.hrtime.bigint();
  const queue = [...jobs.entries()];
  const results: Measured[] = [];
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: Math.min(parallel, jobs.length) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [i, job] = next;
        const r = await run(job.command, job.args, { ...(job.env ? { env: job.env } : {}), sampler });
        results.push(r);
        if (r.code !== 0) failures.push(`job ${i} exited ${String(r.code)}: ${r.stderr.slice(-500)}`);
      }
    }),
  );
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const sampled = sampler.stop();
  // Per-process peaks (GNU time) bound the tree's peak from below when sampling missed one.
  const perProcess = Math.max(0, ...results.map((r) => r.peakRssBytes));
  return {
    wallMs,
    cpuSeconds: results.reduce((a, r) => a + r.cpuSeconds, 0),
    peakRssBytes: Math.max(sampled, perProcess),
    code: failures.length === 0 ? 0 : 1,
    stdout: '',
    stderr: failures.join('\n'),
    failures,
  };
}
