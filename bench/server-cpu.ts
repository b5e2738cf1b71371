import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time used by the lab's Dovecot servers (every process of each master: itself, its live
 * children and the children it has reaped — imap and imap-login processes end with their
 * connection). The bench runs the servers on the same cores as the tools: this shows how much
 * of the machine each run left the client, and how close a run came to using all of it.
 */

let ticks: number | undefined;
const clockTicks = (): number => (ticks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100);

interface Stat {
  pid: number;
  ppid: number;
  /** utime + stime, and cutime + cstime (reaped children), in ticks. */
  own: number;
  reaped: number;
}

function stat(pid: string): Stat | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { pid: Number(pid), ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined;
  }
}

function cmdline(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Seconds of CPU the Dovecot masters started from `labDir` and all their processes have used so far. */
export function serverCpuSeconds(labDir: string): number {
  const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  const all = pids.map(stat).filter((s): s is Stat => s !== undefined);
  const masters = new Set(pids.filter((p) => /(^|\/)dovecot /.test(cmdline(p)) && cmdline(p).includes(labDir)).map(Number));
  let total = 0;
  for (const s of all) {
    if (masters.has(s.pid)) total += s.own + s.reaped;
    else if (masters.has(s.ppid)) total += s.own + s.reaped;
  }
  return total / clockTicks();
}

/**
 * Busy seconds of all the machine's cores so far (/proc/stat: everything but idle and iowait):
 * the tools, the servers, and what neither is charged with — the WAN delay program and the
 * kernel's path for its packets.
 */
export function machineBusySeconds(): number {
  return cpuTicks().busy / clockTicks();
}

/** All cores' ticks so far (/proc/stat): busy (everything but idle and iowait) and in all. */
function cpuTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3]! - f[4]!, total };
}

/** CPU seconds so far of the WAN delay program (bench/wan/nfq-delay.c) while one runs: 0 when none does (RTT 0). */
export function delayCpuSeconds(): number {
  const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && /(^|\/)nfq-delay /.test(cmdline(p)));
  return pids.map(stat).reduce((n, s) => n + (s?.own ?? 0), 0) / clockTicks();
}

/**
 * The share of all the machine's cores that was busy in each `intervalMs` window from now until
 * the returned function is called (its result, 0–1 per window): where a run was bound by the
 * machine (both cores busy) and where it waited.
 */
export function sampleBusyShare(intervalMs = 250): () => number[] {
  const shares: number[] = [];
  let last = cpuTicks();
  const timer = setInterval(() => {
    const now = cpuTicks();
    const total = now.total - last.total;
    shares.push(total > 0 ? (now.busy - last.busy) / total : 0);
    last = now;
  }, intervalMs);
  return () => {
    clearInterval(timer);
    return shares;
  };
}
