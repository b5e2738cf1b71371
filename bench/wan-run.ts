import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../test/lab/paths.js';
import type { MailboxSnapshot } from '../test/lab/snapshot.js';
import { seedMailbox } from '../test/lab/seed.js';
import { benchMailbox, benchMessage } from './corpus.js';
import { mbsyncVersion } from './mbsync.js';
import { result, round, table, targetTable, type RunResult, type Target } from './report.js';
import { measureRound } from './rounds.js';
import { Scenarios, type Pair } from './scenarios.js';
import { seedAll, startBenchLab, type BenchLab } from './setup.js';
import { measureRtt, WanDelay } from './wan/delay.js';
import { deltaRoundTrips, type DeltaRoundTrips } from './wan/delta-round-trips.js';

/**
 * The WAN case of `npm run bench` (BENCH_RTTS, default 0,20,60): inside the bench's network
 * namespace (wan/namespace.ts), at each added round trip, the same scenarios as the loopback
 * bench on the issue's corpora — one mailbox of BENCH_WAN_ONE messages (default 600, ~100 MB,
 * 5 folders) and a batch of 8 mailboxes x BENCH_WAN_BATCH messages (default 150) — mailmig
 * against mbsync one mailbox at a time and BENCH_CONCURRENCY (4) at once, every mailmig copy
 * verified message by message, every mbsync copy by count; then the no-change delta of both,
 * and its round trips counted on the wire for a mailbox of 5 and one of 50 folders. mailmig's two
 * first passes run BENCH_WAN_TRIES (3) times at each RTT, each into fresh mailboxes and verified:
 * on two cores shared with both servers and the delay, one run of the same code moves by ±15%,
 * and the targets compare medians.
 */

const RTTS = (process.env.BENCH_RTTS ?? '0,20,60').split(',').map(Number).filter((n) => Number.isFinite(n) && n >= 0);
const ONE = Number(process.env.BENCH_WAN_ONE ?? 600);
const PER = Number(process.env.BENCH_WAN_BATCH ?? 150);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
/** mailmig's own first passes (the batch and the one mailbox) per RTT and round: a few seconds each, so several, and the targets take their median. */
const TRIES = Math.max(1, Number(process.env.BENCH_WAN_TRIES ?? 3));
const BATCH = 8;
const DOMAIN = 'wan.example';

const say = (s: string): boolean => process.stdout.write(`[bench] ${s}\n`);
const addr = (name: string): string => `${name}@${DOMAIN}`;
const many = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => addr(`${prefix}-${String(i).padStart(2, '0')}`));
const zip = (from: string[], to: string[]): Pair[] => from.map((source, i) => ({ source, destination: to[i]! }));
const tag = (rtt: number, name: string): string => `${name} @${rtt} ms`;

/** Folders of a small mailbox: `n` folders, two small messages each (a delta's cost is per folder, not per byte). */
function foldersOf(n: number, seed: string): { path: string; messages: { raw: Buffer; flags: string[] }[] }[] {
  return Array.from({ length: n }, (_, i) => ({
    path: i === 0 ? 'INBOX' : `Folder ${String(i).padStart(2, '0')}`,
    messages: [0, 1].map((k) => ({ raw: benchMessage(3000, `${seed}-${i}-${k}`, new Date(Date.UTC(2024, 0, 1 + k))), flags: ['\\Seen'] })),
  }));
}

export async function wanBench(delay: WanDelay): Promise<void> {
  const startedAt = new Date();
  const work = await mkdtemp(join(tmpdir(), 'mailmig-wan-'));
  say(`WAN bench at RTTs ${RTTS.join(', ')} ms (mbsync: ${mbsyncVersion()}, ${cpus().length} CPUs, node ${process.version})`);
  const b: BenchLab = await startBenchLab();
  const stopAll = async (): Promise<void> => {
    await delay.stop();
    await b.stop();
  };
  const stopOnSignal = (): void => void stopAll().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    const batchSrc = many('batch-src', BATCH);
    const oneSrc = addr('one-src');
    const rtSrc = { 5: addr('rt5-src'), 50: addr('rt50-src') };
    const legs = RTTS.flatMap((rtt) => Array.from({ length: ROUNDS }, (_, r) => ({ rtt, round: r + 1, p: `r${rtt}-${r + 1}` })));
    const tries = (p: string): string[] => Array.from({ length: TRIES - 1 }, (_, t) => `${p}-t${t + 2}`);
    const dests = legs.flatMap(({ p }) => [...many(`${p}-mm`, BATCH), ...many(`${p}-seq`, BATCH), ...many(`${p}-par`, BATCH), addr(`${p}-one-mm`), addr(`${p}-one-mbs`), ...tries(p).flatMap((t) => [...many(`${t}-mm`, BATCH), addr(`${t}-one-mm`)])]);
    const rtDst = { mm5: addr('rt5-mm'), mm50: addr('rt50-mm'), mbs5: addr('rt5-mbs'), mbs50: addr('rt50-mbs') };
    await b.addMailboxes('source', [...batchSrc, oneSrc, rtSrc[5], rtSrc[50]]);
    await b.addMailboxes('destination', [...dests, ...Object.values(rtDst)]);

    say(`seeding one mailbox of ${ONE} messages and ${BATCH} of ${PER} (5 folders each), and two of 5 and 50 small folders ...`);
    const t0 = Date.now();
    const seededBatch = await seedAll(b.info, batchSrc, (i) => benchMailbox(i, PER, 'wan-batch'), 3);
    const seededOne = (await seedAll(b.info, [oneSrc], () => benchMailbox(0, ONE, 'wan-one'), 1)).get(oneSrc)!;
    for (const n of [5, 50] as const) await seedMailbox(b.info, 'source', rtSrc[n], foldersOf(n, `rt${n}`), { connections: 5 });
    const total = [...seededBatch.values()].reduce((a, s) => ({ messages: a.messages + s.messages, bytes: a.bytes + s.bytes }), { messages: 0, bytes: 0 });
    say(`corpus: one mailbox ${seededOne.messages} messages / ${(seededOne.bytes / 1048576).toFixed(1)} MB; batch ${total.messages} messages / ${(total.bytes / 1048576).toFixed(1)} MB; seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const s = new Scenarios(b, work);
    const rows: RunResult[] = [];
    const rtts: Record<number, number> = {};
    const sources = new Map<string, MailboxSnapshot>();
    for (const [leg, { rtt, round: r, p }] of legs.entries()) {
      // measureRound names its run directories by round: one number per leg keeps them apart.
      const dirs = leg + 1;
      await delay.set(rtt);
      rtts[rtt] = round(await measureRtt(), 1);
      say(`RTT ${rtt} ms (measured: TCP ping ${rtts[rtt]} ms), round ${r} ...`);
      const out = await measureRound(
        s,
        {
          round: dirs,
          concurrency: CONCURRENCY,
          batch: { mailmig: zip(batchSrc, many(`${p}-mm`, BATCH)), sequential: zip(batchSrc, many(`${p}-seq`, BATCH)), parallel: zip(batchSrc, many(`${p}-par`, BATCH)) },
          single: [{ mailmig: { source: oneSrc, destination: addr(`${p}-one-mm`) }, mbsync: { source: oneSrc, destination: addr(`${p}-one-mbs`) } }],
          total,
          one: seededOne,
        },
        sources,
        say,
      );
      rows.push(...out.rows.map((x) => ({ ...x, name: `${x.name.replace(/ #\d+$/, '')} @${rtt} ms #${r}` })));
      for (const t of tries(p)) {
        say(`RTT ${rtt} ms: mailmig again (${t}): the batch, then one mailbox ...`);
        const batch = zip(batchSrc, many(`${t}-mm`, BATCH));
        rows.push(result(`batch first pass @${rtt} ms #${r} ${t.slice(p.length + 1)}`, 'mailmig', `${CONCURRENCY} mbx`, total.messages, total.bytes, await s.mailmig(s.mailmigRun(`mailmig-batch-${dirs}-${t}`, batch, CONCURRENCY), CONCURRENCY)));
        const single = [{ source: oneSrc, destination: addr(`${t}-one-mm`) }];
        rows.push(result(`one mailbox @${rtt} ms #${r} ${t.slice(p.length + 1)}`, 'mailmig', '1 mbx', seededOne.messages, seededOne.bytes, await s.mailmig(s.mailmigRun(`mailmig-one-${dirs}-${t}`, single, 1), 1)));
        await delay.set(0);
        const wrong = [...(await s.verifyExact(batch, sources)), ...(await s.verifyExact(single, sources))];
        if (wrong.length > 0) throw new Error(`mailmig's copy (${t}) differs from the source:\n${wrong.join('\n')}`);
        await delay.set(rtt);
      }
      say(`RTT ${rtt} ms: no-change delta, mailmig then mbsync ...`);
      rows.push(result(tag(rtt, 'no-change delta'), 'mailmig', `${CONCURRENCY} mbx`, 0, 0, await s.mailmig(out.batchRun, CONCURRENCY)));
      rows.push(result(tag(rtt, 'no-change delta'), 'mbsync', `${CONCURRENCY} mbx`, 0, 0, await s.mbsync(`mbsync-par-${dirs}`, zip(batchSrc, many(`${p}-par`, BATCH)), CONCURRENCY)));
      await delay.set(0);
      say(`RTT ${rtt} ms: verifying the one-mailbox copies ...`);
      const one = await s.verifyExact([{ source: oneSrc, destination: addr(`${p}-one-mm`) }], sources);
      const counts = await s.verifyCounts([{ source: oneSrc, destination: addr(`${p}-one-mbs`) }]);
      if (one.length + counts.length > 0) throw new Error(`a one-mailbox copy differs from the source:\n${[...one, ...counts].join('\n')}`);
    }

    say('round trips of a no-change delta, 5 and 50 folders, counted at 20 ms RTT ...');
    const trips: DeltaRoundTrips[] = [];
    for (const n of [5, 50] as const) {
      trips.push(await deltaRoundTrips(s, b, delay, n, { source: rtSrc[n], mailmig: n === 5 ? rtDst.mm5 : rtDst.mm50, mbsync: n === 5 ? rtDst.mbs5 : rtDst.mbs50 }));
    }
    await delay.set(0);

    const goals = wanTargets(rows, trips, CONCURRENCY);
    const command = `BENCH_RTTS=${RTTS.join(',')} BENCH_WAN_ONE=${ONE} BENCH_WAN_BATCH=${PER} BENCH_CONCURRENCY=${CONCURRENCY} BENCH_ROUNDS=${ROUNDS} BENCH_WAN_TRIES=${TRIES} npm run bench`;
    const tripLines = trips.map((t) => `- ${t.folders} folders: ${t.lines.join('; ')}`);
    const notes = [
      `Measured round trips (TCP ping in the namespace): ${Object.entries(rtts).map(([k, v]) => `${k} ms -> ${v} ms`).join(', ')}.`,
      s.warnings.length === 0 ? 'mailmig printed no warning in any measured run.' : `mailmig printed ${s.warnings.length} warning(s), e.g. ${s.warnings.slice(0, 3).join(' | ')}`,
      `Every mailmig copy was verified message by message (SHA-256, size, flags, INTERNALDATE); every mbsync copy by message count per folder (it adds X-TUID).`,
    ];
    process.stdout.write(`\ncommand: ${command}\n\n${table(rows)}\n\nno-change delta round trips (see bench/wan/round-trips.ts):\n${tripLines.join('\n')}\n\n${targetTable(goals)}\n\n${notes.map((x) => `- ${x}`).join('\n')}\n`);
    const outDir = join(projectRoot(), 'bench-results');
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `wan-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify({ command, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', node: process.version, mbsync: mbsyncVersion() }, rtts, runs: rows, roundTrips: trips, targets: goals, notes }, null, 2));
    say(`results: ${file} (${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s in all)`);
  } finally {
    process.removeListener('SIGINT', stopOnSignal);
    process.removeListener('SIGTERM', stopOnSignal);
    await stopAll();
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * What the machine itself allows a run at `hi` ms to keep of its `lo`-ms throughput, whatever
 * latency it hides: the cores cannot finish the `hi` run's work sooner than that work divided
 * among them. The work counted: everything but mailmig in the `hi` run (the servers, the delay
 * program, the kernel's packet path, all measured in /proc/stat) plus mailmig's own CPU as at
 * `lo` ms. Empty where the machine's CPU was not measured.
 */
function cpuCeiling(a: RunResult, z: RunResult, hi: number, lo: number): string {
  if (z.machineCpuSeconds === undefined) return '';
  const cores = cpus().length;
  const others = Math.max(0, z.machineCpuSeconds - z.cpuSeconds);
  const floor = (others + a.cpuSeconds) / cores;
  const ceiling = Math.min(1, a.wallSeconds / floor);
  const delay = z.delayCpuSeconds !== undefined ? ` (the delay program ${round(z.delayCpuSeconds, 2)} s of it)` : '';
  return `; this machine's ceiling ${round(ceiling * 100, 0)}%: at ${hi} ms the servers, the delay and the kernel kept the ${cores} cores busy ${round(others, 2)} s${delay}, with mailmig's own ${a.cpuSeconds} s at ${lo} ms no run ends before ${round(floor, 2)} s`;
}

/**
 * The issue's WAN targets at the longest RTT against the shortest: mailmig's median run of its
 * tries (the lower median of an even count), each peer's best round.
 */
function wanTargets(rows: RunResult[], trips: DeltaRoundTrips[], concurrency: number): Target[] {
  const pick = (name: string, tool: RunResult['tool']): RunResult | undefined => {
    const runs = rows.filter((r) => r.tool === tool && (r.name === name || r.name.startsWith(`${name} #`))).sort((a, b) => a.wallSeconds - b.wallSeconds);
    return tool === 'mailmig' ? runs[Math.floor((runs.length - 1) / 2)] : runs[0];
  };
  const lo = Math.min(...RTTS);
  const hi = Math.max(...RTTS);
  const out: Target[] = [];
  const keep = (name: string, goal: number): void => {
    const a = pick(`${name} @${lo} ms`, 'mailmig');
    const z = pick(`${name} @${hi} ms`, 'mailmig');
    if (!a || !z || hi === lo) return;
    const k = z.messagesPerSecond / a.messagesPerSecond;
    out.push({ name: `${name}: throughput kept at ${hi} ms vs ${lo} ms`, goal: `>= ${goal * 100}%`, measured: `${round(k * 100, 0)}% (${z.wallSeconds} s vs ${a.wallSeconds} s)${cpuCeiling(a, z, hi, lo)}`, met: k >= goal });
  };
  keep('one mailbox', 0.75);
  keep('batch first pass', 0.65);
  const vs = (name: string, mine: string, peer: string, goal: number): void => {
    const m = pick(`${mine} @${hi} ms`, 'mailmig');
    const p = pick(`${peer} @${hi} ms`, 'mbsync');
    if (!m || !p) return;
    const x = p.wallSeconds / m.wallSeconds;
    out.push({ name: `${name} at ${hi} ms`, goal: `>= ${goal}x`, measured: `${round(x, 2)}x (${m.wallSeconds} s vs ${p.wallSeconds} s)`, met: x >= goal });
  };
  vs('one mailbox vs mbsync', 'one mailbox', 'one mailbox', 5);
  vs(`batch vs mbsync x${concurrency}`, 'batch first pass', 'batch parallel', 2);
  const [five, fifty] = trips;
  if (five && fifty) {
    const mm = (t: DeltaRoundTrips): number => t.mailmig.commandWaits + t.mailmig.connections;
    const mbs = (t: DeltaRoundTrips): number => t.mbsync.commandWaits + t.mbsync.connections;
    out.push({
      name: 'no-change delta round trips, 5 vs 50 folders',
      goal: 'same; fewer than mbsync',
      measured: `mailmig ${mm(five)} / ${mm(fifty)}, mbsync ${mbs(five)} / ${mbs(fifty)} (command waits + connections)`,
      met: mm(five) === mm(fifty) && mm(fifty) < mbs(fifty) && mm(five) < mbs(five),
    });
  }
  return out;
}
