import type { Measured } from './measure.js';

/** One measured copy, as printed and stored. */
export interface RunResult {
  name: string;
  tool: 'mailmig' | 'mbsync';
  /** Mailboxes copied at once / connections per mailbox and side. */
  parallelism: string;
  messages: number;
  bytes: number;
  wallSeconds: number;
  messagesPerSecond: number;
  megabytesPerSecond: number;
  peakRssMB: number;
  cpuSeconds: number;
  /** The lab's Dovecots' CPU during the run (they share the machine with the tools). */
  serverCpuSeconds?: number;
  /** Busy seconds of all the machine's cores during the run (everything on it, the WAN delay included). */
  machineCpuSeconds?: number;
  /** The WAN delay program's CPU during the run (part of machineCpuSeconds; a real WAN costs the machine none). */
  delayCpuSeconds?: number;
  ok: boolean;
  note?: string;
}

export function result(name: string, tool: RunResult['tool'], parallelism: string, messages: number, bytes: number, m: Measured, note?: string): RunResult {
  const s = m.wallMs / 1000;
  return {
    name,
    tool,
    parallelism,
    messages,
    bytes,
    wallSeconds: round(s, 3),
    messagesPerSecond: round(messages / s, 1),
    megabytesPerSecond: round(bytes / 1048576 / s, 1),
    peakRssMB: round(m.peakRssBytes / 1048576, 1),
    cpuSeconds: round(m.cpuSeconds, 2),
    ...(m.serverCpuSeconds !== undefined ? { serverCpuSeconds: round(m.serverCpuSeconds, 2) } : {}),
    ...(m.machineCpuSeconds !== undefined ? { machineCpuSeconds: round(m.machineCpuSeconds, 2) } : {}),
    ...(m.delayCpuSeconds !== undefined ? { delayCpuSeconds: round(m.delayCpuSeconds, 2) } : {}),
    ok: m.code === 0,
    ...(note ? { note } : {}),
  };
}

export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export interface Target {
  name: string;
  goal: string;
  measured: string;
  met: boolean;
}

export function table(rows: RunResult[]): string {
  const head = ['run', 'tool', 'parallel', 'messages', 'MB', 'seconds', 'msg/s', 'MB/s', 'peak RSS MB', 'CPU s', 'server CPU s', 'cores busy', 'ok'];
  const body = rows.map((r) => [
    r.name, r.tool, r.parallelism, String(r.messages), (r.bytes / 1048576).toFixed(1), r.wallSeconds.toFixed(2), r.messagesPerSecond.toFixed(1), r.megabytesPerSecond.toFixed(1), r.peakRssMB.toFixed(0), r.cpuSeconds.toFixed(1),
    r.serverCpuSeconds !== undefined ? r.serverCpuSeconds.toFixed(1) : '-', r.serverCpuSeconds !== undefined ? coresBusy(r).toFixed(2) : '-', r.ok ? 'yes' : 'NO',
  ]);
  return grid([head, ...body]);
}

/** Client and server CPU over wall time: how many cores the run kept busy. */
export function coresBusy(r: RunResult): number {
  return (r.cpuSeconds + (r.serverCpuSeconds ?? 0)) / r.wallSeconds;
}

export function targetTable(targets: Target[]): string {
  return grid([['target', 'goal', 'measured', 'met'], ...targets.map((t) => [t.name, t.goal, t.measured, t.met ? 'yes' : 'MISSED'])]);
}

function grid(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => (i === 0 || i === 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

/** The issue's targets, from each tool's best round. */
export function targets(rows: RunResult[], concurrency: number, cores: number, bigBytes: number, pick: (name: string, tool: RunResult['tool']) => RunResult, firstPass: RunResult, peerFirstPass: RunResult): Target[] {
  const ratio = (a: number, b: number): number => round(a / b, 2);
  const mm = pick('batch first pass', 'mailmig');
  const seq = pick('batch sequential', 'mbsync');
  const par = pick('batch parallel', 'mbsync');
  const oneMm = pick('one mailbox', 'mailmig');
  const oneMbs = pick('one mailbox', 'mbsync');
  const big = pick('one 100 MB message', 'mailmig');
  const delta = pick('no-change delta', 'mailmig');
  // mbsync's own no-change re-run against its own first pass: what the same lab allows a peer.
  const peerDelta = pick('no-change delta', 'mbsync');
  const rssLimit = 3 * bigBytes + 150 * 1048576;
  return [
    {
      name: 'batch vs mbsync sequential',
      goal: '>= 1.5x',
      // With the servers on the same cores, a run can be at most cores / (cores mbsync kept busy) faster
      // than mbsync one mailbox at a time, doing the same CPU work.
      measured: `${ratio(mm.messagesPerSecond, seq.messagesPerSecond)}x${seq.serverCpuSeconds !== undefined ? ` (mbsync kept ${coresBusy(seq).toFixed(2)} of ${cores} cores busy: ceiling ${ratio(cores, coresBusy(seq))}x at equal CPU work; mailmig's CPU work ${ratio(mm.cpuSeconds + (mm.serverCpuSeconds ?? 0), seq.cpuSeconds + seq.serverCpuSeconds)}x mbsync's)` : ''}`,
      met: mm.messagesPerSecond >= 1.5 * seq.messagesPerSecond },
    { name: `batch vs mbsync ${concurrency} parallel`, goal: '>= 1.0x', measured: `${ratio(mm.messagesPerSecond, par.messagesPerSecond)}x`, met: mm.messagesPerSecond >= par.messagesPerSecond },
    { name: 'one mailbox vs mbsync', goal: '>= 0.8x', measured: `${ratio(oneMm.messagesPerSecond, oneMbs.messagesPerSecond)}x`, met: oneMm.messagesPerSecond >= 0.8 * oneMbs.messagesPerSecond },
    { name: 'peak RSS, 100 MB message', goal: `<= ${(rssLimit / 1048576).toFixed(0)} MB`, measured: `${big.peakRssMB} MB`, met: big.peakRssMB * 1048576 <= rssLimit },
    { name: 'no-change delta vs its first pass', goal: '>= 50x faster', measured: `${ratio(firstPass.wallSeconds, delta.wallSeconds)}x (${delta.wallSeconds} s vs ${firstPass.wallSeconds} s; mbsync's own: ${ratio(peerFirstPass.wallSeconds, peerDelta.wallSeconds)}x)`, met: firstPass.wallSeconds >= 50 * delta.wallSeconds },
  ];
}
