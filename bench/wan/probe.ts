import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../../shared/composition/create-engine.js';
import { loadSettings } from '../../shared/config/settings.js';
import { seedMailbox, type SeedFolder } from '../../test/lab/seed.js';
import { benchMailbox, benchMessage } from '../corpus.js';
import { Scenarios } from '../scenarios.js';
import { machineBusySeconds, sampleBusyShare } from '../server-cpu.js';
import { startBenchLab, type BenchLab } from '../setup.js';
import { measureRtt, WanDelay } from './delay.js';
import { inWanNamespace } from './namespace.js';
import { rawRelay, rawTcp, serverStreams } from './probe-streams.js';
import { commandTimeline } from './probe-timeline.js';

/**
 * `npm run bench:probe`: where one mailbox's time goes at a given round trip, in the bench's own
 * network namespace (namespace.ts). At each RTT of PROBE_RTTS (default 0,60) it prints what one
 * connection can move (raw TCP, the lab's Dovecot FETCH and APPEND, mailmig's own FETCH and
 * APPEND pipeline alone), what a copy of the mailbox's bytes without IMAP moves over 1, 3, 5 and 8
 * new connection pairs (the delay's own ceiling) and what it costs the cores, then times
 * PROBE_RUNS (2) `mailmig migrate` runs of the mailbox with PROBE_SETTINGS (K=V,K=V), each with
 * the CPU it took (mailmig, Dovecot, the delay program, the whole machine) and the share of the
 * cores busy in each 250 ms of it, and, with PROBE_TIMELINE=1, prints one run's command timeline
 * (probe-timeline.ts). The mailbox: PROBE_FOLDERS (1) folders of PROBE_MESSAGES (100) messages
 * of PROBE_SIZE (200,000) bytes each, or with PROBE_CORPUS=bench the WAN bench's one mailbox of PROBE_MESSAGES.
 * PROBE_MAILBOXES=n (1) times a batch instead: n such mailboxes (the bench corpus's mailboxes 0 to
 * n-1), PROBE_CONCURRENCY (4) at once, as the WAN bench's batch does.
 */

const say = (s: string): boolean => process.stdout.write(`[probe] ${s}\n`);
const mb = (bytes: number, ms: number): string => `${(bytes / 1048576 / (ms / 1000)).toFixed(1)} MB/s (${ms.toFixed(0)} ms)`;
const MAILBOXES = Math.max(1, Number(process.env.PROBE_MAILBOXES ?? 1));
const CONCURRENCY = Number(process.env.PROBE_CONCURRENCY ?? 4);
const SOURCE = 'probe-src@wan.example';
/** The batch's source mailboxes: the first is SOURCE. */
const SOURCES = Array.from({ length: MAILBOXES }, (_, i) => (i === 0 ? SOURCE : `probe-src-${i}@wan.example`));

/** TCP segments sent again in the namespace so far (losses: each one halves a connection's window). */
function retransmitted(): number {
  const out = execFileSync('nstat', ['-az', 'TcpRetransSegs'], { encoding: 'utf8' });
  return Number(/TcpRetransSegs\s+(\d+)/.exec(out)?.[1] ?? NaN);
}

/** Runs `fn` and says how many segments were sent again meanwhile. */
async function counted<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const before = retransmitted();
  const r = await fn();
  say(`    (${what}: ${retransmitted() - before} segments retransmitted)`);
  return r;
}

function mailbox(index = 0): SeedFolder[] {
  const n = Number(process.env.PROBE_MESSAGES ?? 100);
  if (process.env.PROBE_CORPUS === 'bench') return benchMailbox(index, n, MAILBOXES > 1 ? 'wan-batch' : 'wan-one');
  const size = Number(process.env.PROBE_SIZE ?? 200_000);
  const folders = Math.max(1, Number(process.env.PROBE_FOLDERS ?? 1));
  return Array.from({ length: folders }, (_, f) => ({
    path: f === 0 ? 'INBOX' : `Folder ${String(f).padStart(2, '0')}`,
    messages: Array.from({ length: n }, (_, i) => ({ raw: benchMessage(size, `p-${index}-${f}-${i}`, new Date(Date.UTC(2024, 0, 1))), flags: ['\\Seen'] })),
  }));
}

/** mailmig's FETCH and APPEND pipeline on their own, through the engine's connection pool. */
async function engineStreams(b: BenchLab, s: Scenarios, rtt: number, folder: SeedFolder): Promise<void> {
  const destination = `probe-engine-${rtt}@wan.example`;
  await b.addMailboxes('destination', [destination]);
  const values = (JSON.parse(readFileSync(s.mailmigRun(`engine-${rtt}`, [{ source: SOURCE, destination }], 1).settingsPath, 'utf8')) as { Values: Record<string, string> }).Values;
  const engine = createEngine(loadSettings(values), values, { log: { info: () => undefined, warn: (m) => say(`warning: ${m}`) }, state: 'file' });
  try {
    const bodies = folder.messages.map((m) => Buffer.from(m.raw));
    const lease = await engine.pool.acquireAppender(destination);
    if (!lease) throw new Error('the destination offers no APPEND pipeline');
    await lease.item.selectFolder('INBOX');
    let t = performance.now();
    const appended = bodies.map((raw) => lease.item.append('INBOX', raw, ['\\Seen'], new Date().toISOString()));
    lease.item.flushFor(appended.at(-1)!);
    await Promise.all(appended);
    say(`  mailmig APPEND pipeline alone: ${mb(bodies.reduce((n, x) => n + x.length, 0), performance.now() - t)}`);
    engine.pool.releaseAppender(destination, lease);
    const { session, release } = await engine.pool.acquireFolders('source', SOURCE);
    const sel = await session.select(folder.path, true);
    t = performance.now();
    let got = 0;
    for await (const m of session.fetchSources(`1:${sel.uidNext}`)) got += m.source.length;
    say(`  mailmig body FETCH alone: ${mb(got, performance.now() - t)}`);
    release();
  } finally {
    await engine.close();
  }
}

async function probe(nfqDelay: string): Promise<void> {
  const b = await startBenchLab();
  const delay = new WanDelay(nfqDelay);
  try {
    await b.addMailboxes('source', SOURCES);
    const folders = mailbox();
    let bytes = 0;
    for (const [i, src] of SOURCES.entries()) {
      const f = i === 0 ? folders : mailbox(i);
      await seedMailbox(b.info, 'source', src, f, { connections: f.length });
      bytes += f.reduce((n, x) => n + x.messages.reduce((y, m) => y + m.raw.length, 0), 0);
    }
    say(`${MAILBOXES} mailbox(es): ${(bytes / 1048576).toFixed(1)} MB; each ${folders.reduce((n, f) => n + f.messages.length, 0)} messages in ${folders.length} folders`);
    const s = new Scenarios(b, mkdtempSync(join(tmpdir(), 'mailmig-probe-')));
    const settings = Object.fromEntries((process.env.PROBE_SETTINGS ?? '').split(',').filter(Boolean).map((kv) => kv.split('=') as [string, string]));
    const { source, destination } = b.info.imap;
    const first = folders[0]!;
    for (const rtt of (process.env.PROBE_RTTS ?? '0,60').split(',').map(Number)) {
      await delay.set(rtt);
      say(`RTT ${rtt} ms (TCP ping ${(await measureRtt()).toFixed(1)} ms)`);
      const firstBytes = first.messages.reduce((n, m) => n + m.raw.length, 0);
      say(`  raw TCP, ${(firstBytes / 1048576).toFixed(1)} MB on a new connection: ${(await counted('raw TCP', () => rawTcp(firstBytes))).toFixed(1)} MB/s`);
      for (const n of [1, 3, 5, 8]) {
        const busy = machineBusySeconds();
        const rate = await counted('raw copy', () => rawRelay(bytes, n));
        say(`  raw copy of the mailbox's ${(bytes / 1048576).toFixed(1)} MB over ${n} new connection pair(s): ${rate.toFixed(1)} MB/s; cores busy ${(machineBusySeconds() - busy).toFixed(2)} s`);
      }
      const sink = `probe-sink-${rtt}@wan.example`;
      await b.addMailboxes('destination', [sink]);
      const d = await counted('Dovecot', () => serverStreams(
        { server: source, user: SOURCE, password: b.passwords.get(SOURCE)!, folder: first.path },
        { server: destination, user: sink, password: b.passwords.get(sink)! },
        first.messages.map((m) => Buffer.from(m.raw)),
      ));
      say(`  Dovecot "${first.path}": FETCH ${d.fetchCold.toFixed(1)} MB/s (again on the same connection ${d.fetchWarm.toFixed(1)}); APPEND pipelined ${d.appendPipelined.toFixed(1)}, one MULTIAPPEND ${d.multiAppend.toFixed(1)}`);
      await counted('mailmig streams', () => engineStreams(b, s, rtt, first));
      for (let k = 0; k < Number(process.env.PROBE_RUNS ?? 2); k++) {
        const pairs = SOURCES.map((source, i) => ({ source, destination: `probe-mm-${rtt}-${k}-${i}@wan.example` }));
        await b.addMailboxes('destination', pairs.map((p) => p.destination));
        const sampled = sampleBusyShare(250);
        const m = await counted('migrate', () => s.mailmig(s.mailmigRun(`mm-${rtt}-${k}`, pairs, CONCURRENCY, settings), CONCURRENCY));
        const shares = sampled();
        const cpu = m.machineCpuSeconds ?? NaN;
        say(`  mailmig migrate: ${mb(bytes, m.wallMs)} ${JSON.stringify(settings)}; peak RSS ${(m.peakRssBytes / 1048576).toFixed(0)} MB; the machine's cores busy ${cpu.toFixed(2)} s in all (mailmig ${m.cpuSeconds.toFixed(2)}, Dovecot ${(m.serverCpuSeconds ?? 0).toFixed(2)}, the delay program ${(m.delayCpuSeconds ?? 0).toFixed(2)}) (${availableParallelism()} cores: at least ${((cpu / availableParallelism()) * 1000).toFixed(0)} ms)`);
        say(`    cores busy by 250 ms (%): ${shares.map((x) => Math.round(x * 100)).join(' ')}`);
      }
      if (process.env.PROBE_TIMELINE === '1') {
        const pairs = SOURCES.map((source, i) => ({ source, destination: `probe-timeline-${rtt}-${i}@wan.example` }));
        await b.addMailboxes('destination', pairs.map((p) => p.destination));
        const lines = await commandTimeline(b.info, { source: source.tlsPort, destination: destination.tlsPort }, async (ports) => {
          await s.mailmig(s.mailmigRun(`timeline-${rtt}`, pairs, CONCURRENCY, settings, ports), CONCURRENCY);
        });
        say('  command timeline (sent ms, answered ms, side+connection, command):');
        for (const l of lines) say(`    ${l}`);
      }
    }
  } finally {
    await delay.stop();
    await b.stop();
  }
}

void inWanNamespace(probe);
