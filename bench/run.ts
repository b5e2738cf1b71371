import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { addMailbox } from '../test/lab/mailboxes.js';
import { projectRoot } from '../test/lab/paths.js';
import type { MailboxSnapshot } from '../test/lab/snapshot.js';
import { seedMailbox } from '../test/lab/seed.js';
import { mintToken } from '../test/lab/tokens.js';
import { benchMailbox, benchMessage } from './corpus.js';
import { mbsyncVersion, probeXoauth2 } from './mbsync.js';
import { describeProfile, throughProxies, type WireProfile } from './profile.js';
import { result, table, targetTable, targets, type RunResult } from './report.js';
import { best, measureRound } from './rounds.js';
import { Scenarios, type Pair } from './scenarios.js';
import { seedAll, startBenchLab } from './setup.js';
import { inTrustingProcess } from './trust.js';
import { wanBench } from './wan-run.js';
import { WanDelay } from './wan/delay.js';
import { inWanNamespace } from './wan/namespace.js';

/**
 * `BENCH_RTTS=off npm run bench` (the default is the WAN case, wan-run.ts): mailmig against
 * mbsync on one lab, in one run (see TEST-INFRA.md, "Peers for comparison"). BENCH_MESSAGES (default 3000) scales the corpus; BENCH_CONCURRENCY
 * (default 4) is the parallelism both tools get; BENCH_ROUNDS (default 2) repeats the comparison
 * (targets use each tool's best round). Every measured run starts after a `sync`; the
 * one-mailbox comparison runs SINGLE_REPEATS times per round, the no-change delta SINGLE_REPEATS
 * times.
 */

const MAILBOXES = 20;
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2));
const BIG_BYTES = 100 * 1024 * 1024;
/** Runs of one mailbox alone per round and tool, and of the no-change delta (each about a second or less: the best counts). */
const SINGLE_REPEATS = 3;
const DOMAIN = 'bench.example';

const say = (s: string): boolean => process.stdout.write(`[bench] ${s}\n`);
const addr = (name: string): string => `${name}@${DOMAIN}`;
const range = (prefix: string): string[] => Array.from({ length: MAILBOXES }, (_, i) => addr(`${prefix}-${String(i).padStart(2, '0')}`));
const pairs = (from: string[], to: string[]): Pair[] => from.map((source, i) => ({ source, destination: to[i]! }));

/**
 * BENCH_RTTS (default `0,20,60`) runs the WAN case (wan-run.ts) inside a network namespace of
 * the bench's own, at those added round trips; BENCH_RTTS=off runs the loopback comparison below.
 */
async function entry(): Promise<void> {
  if ((process.env.BENCH_RTTS ?? '').trim() === 'off') return main();
  return inWanNamespace((nfqDelay) => wanBench(new WanDelay(nfqDelay)));
}

async function main(): Promise<void> {
  if (!(await inTrustingProcess())) return;
  const startedAt = new Date();
  const work = await mkdtemp(join(tmpdir(), 'mailmig-bench-'));
  say(`starting the lab (mbsync: ${mbsyncVersion()}, ${cpus().length} CPUs, node ${process.version})`);
  const b = await startBenchLab();
  const stopOnSignal = (): void => void b.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  const notes: string[] = [];
  try {
    const src = range('src');
    const rounds = Array.from({ length: ROUNDS }, (_, r) => r + 1);
    const dest = { mm: rounds.map((r) => range(`mm${r}`)), seq: rounds.map((r) => range(`seq${r}`)), par: rounds.map((r) => range(`par${r}`)) };
    const repeats = Array.from({ length: SINGLE_REPEATS }, (_, k) => k + 1);
    const single = { mm: rounds.map((r) => repeats.map((k) => addr(`one-mm${r}-${k}`))), mbs: rounds.map((r) => repeats.map((k) => addr(`one-mbs${r}-${k}`))) };
    const big = { src: addr('big-src'), mm: addr('big-mm'), mbs: addr('big-mbs') };
    const prof = { mm: addr('prof-mm'), mbs: addr('prof-mbs') };
    await b.addMailboxes('source', [...src, big.src]);
    await b.addMailboxes('destination', [...dest.mm.flat(), ...dest.seq.flat(), ...dest.par.flat(), ...single.mm.flat(), ...single.mbs.flat(), big.mm, big.mbs, prof.mm, prof.mbs, addr('probe-dst')]);

    const perMailbox = Math.floor(MESSAGES / MAILBOXES);
    say(`seeding ${MAILBOXES} mailboxes x 5 folders, ${perMailbox} messages each (70% 2-10 KB, 25% 20-200 KB, 5% 1-5 MB) ...`);
    const t0 = Date.now();
    const seeded = await seedAll(b.info, src, (i) => benchMailbox(i, perMailbox, 'bench'), 3);
    const bigRaw = benchMessage(BIG_BYTES, 'big', new Date(Date.UTC(2024, 0, 1)));
    await seedMailbox(b.info, 'source', big.src, [{ path: 'INBOX', messages: [{ raw: bigRaw, flags: ['\\Seen'] }] }]);
    const total = [...seeded.values()].reduce((a, s) => ({ messages: a.messages + s.messages, bytes: a.bytes + s.bytes }), { messages: 0, bytes: 0 });
    say(`corpus: ${total.messages} messages, ${(total.bytes / 1048576).toFixed(1)} MB in ${MAILBOXES} mailboxes (+ one ${BIG_BYTES / 1048576} MB message), seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // mbsync and the XOAUTH2-only source: try it, say what happened.
    const tokenFile = join(work, 'token');
    writeFileSync(tokenFile, mintToken(b.lab.info), { mode: 0o600 });
    await addMailbox(b.lab.info, 'source', addr('probe-src'));
    const probe = await probeXoauth2(work, { name: 'probe', far: { port: b.lab.info.imap.source.tlsPort, user: addr('probe-src'), pass: tokenFile, xoauth2: true }, near: { port: b.info.imap.destination.tlsPort, user: addr('probe-dst'), pass: b.passwords.get(addr('probe-dst'))! } }, b.info.caPath);
    notes.push(
      probe.ok
        ? 'mbsync logged into the XOAUTH2-only source; both tools were still measured against the PLAIN source copy for equal conditions.'
        : `mbsync cannot log into the XOAUTH2-only (Exchange-like) source: "${probe.detail}". Both tools were therefore measured against a PLAIN-enabled Dovecot (the lab's "standard" flavour) holding the same corpus, with PLAIN on both sides.`,
    );
    notes.push(`Rounds: ${ROUNDS}, the tools alternating; targets use each tool's best round (the machine may be shared).`);
    notes.push(`Parallelism: mailmig --concurrency ${CONCURRENCY} (mailboxes at once; default MAX_CONNECTIONS_PER_MAILBOX 3 and MESSAGES_PER_FOLDER_WORKER 500, so each of these ${perMailbox}-message mailboxes is copied by ${Math.min(3, Math.max(1, Math.ceil(perMailbox / 500)))} folder worker(s), each with one source and one pipelining destination connection (the first pair also lists and creates the folders); mbsync ${CONCURRENCY} processes at once, each one mailbox over one connection per side (mbsync pipelines commands on it). The destination offers MULTIAPPEND, so mailmig sends up to APPEND_BATCH_MESSAGES (50) messages per APPEND; Exchange Online does not offer it.`);
    say(notes[0]!);

    const s = new Scenarios(b, work);
    const rows: RunResult[] = [];
    const sources = new Map<string, MailboxSnapshot>();
    const one = seeded.get(src[0]!)!;
    let firstRound: Awaited<ReturnType<typeof measureRound>> | undefined;
    for (let round = 1; round <= ROUNDS; round++) {
      const out = await measureRound(
        s,
        {
          round,
          concurrency: CONCURRENCY,
          batch: { mailmig: pairs(src, dest.mm[round - 1]!), sequential: pairs(src, dest.seq[round - 1]!), parallel: pairs(src, dest.par[round - 1]!) },
          single: repeats.map((k) => ({ mailmig: { source: src[0]!, destination: single.mm[round - 1]![k - 1]! }, mbsync: { source: src[0]!, destination: single.mbs[round - 1]![k - 1]! } })),
          total,
          one,
        },
        sources,
        say,
      );
      rows.push(...out.rows);
      firstRound ??= out;
    }
    notes.push(`mailmig's batch copies were verified equal to the source message by message (SHA-256, size, flags, INTERNALDATE) for all ${MAILBOXES} mailboxes in every round; mbsync's copies have the source's message count in every folder (not byte-exact: mbsync adds X-TUID).`);

    // Sub-second runs, each measured SINGLE_REPEATS times (the best counts), the tools alternating.
    for (let k = 1; k <= SINGLE_REPEATS; k++) {
      say(`mailmig migrate again on round 1 (no change), ${k} of ${SINGLE_REPEATS} ...`);
      rows.push(result('no-change delta', 'mailmig', `${CONCURRENCY} mbx`, 0, 0, await s.mailmig(firstRound!.batchRun, CONCURRENCY)));
      say(`mbsync again on round 1's ${CONCURRENCY}-at-once copy (no change), for reference, ${k} of ${SINGLE_REPEATS} ...`);
      rows.push(result('no-change delta', 'mbsync', `${CONCURRENCY} mbx`, 0, 0, await s.mbsync('mbsync-par-1', pairs(src, dest.par[0]!), CONCURRENCY)));
    }

    say(`one ${BIG_BYTES / 1048576} MB message: mailmig, then mbsync ...`);
    rows.push(result('one 100 MB message', 'mailmig', '1 mbx', 1, bigRaw.length, await s.mailmig(s.mailmigRun('mailmig-big', [{ source: big.src, destination: big.mm }], 1), 1)));
    rows.push(result('one 100 MB message', 'mbsync', '1 mbx', 1, bigRaw.length, await s.mbsync('mbsync-big', [{ source: big.src, destination: big.mbs }], 1)));
    const bigExact = await s.verifyExact([{ source: big.src, destination: big.mm }], new Map());
    if (bigExact.length > 0) throw new Error(`mailmig's copy of the 100 MB message differs: ${bigExact.join('; ')}`);

    say('wire profile of one mailbox (both tools through counting proxies) ...');
    const profiled = src[1]!;
    const n = seeded.get(profiled)!.messages;
    const ports = { source: b.info.imap.source.tlsPort, destination: b.info.imap.destination.tlsPort };
    const wire: Record<string, WireProfile> = {
      mailmig: await throughProxies(b.lab.info, ports, async (p) => void (await s.mailmig(s.mailmigRun('mailmig-prof', [{ source: profiled, destination: prof.mm }], 1, {}, p), 1)), n),
      mbsync: await throughProxies(b.lab.info, ports, async (p) => void (await s.mbsync('mbsync-prof', [{ source: profiled, destination: prof.mbs }], 1, p)), n),
      // The same run directory again: its ledger makes this the no-change delta of that mailbox.
      'mailmig no-change delta': await throughProxies(b.lab.info, ports, async (p) => void (await s.mailmig(s.mailmigRun('mailmig-prof', [{ source: profiled, destination: prof.mm }], 1, {}, p), 1)), n),
    };

    const goals = targets(rows, CONCURRENCY, cpus().length, bigRaw.length, (name, tool) => best(rows, name, tool), firstRound!.rows[0]!, firstRound!.rows.find((r) => r.name.startsWith('batch parallel'))!);

    notes.push(s.warnings.length === 0 ? 'mailmig printed no warning (no retry, no refused message) in any measured run.' : `mailmig printed ${s.warnings.length} warning(s) in measured runs, e.g. ${s.warnings.slice(0, 3).join(' | ')}`);
    const command = `BENCH_MESSAGES=${MESSAGES} BENCH_CONCURRENCY=${CONCURRENCY} BENCH_ROUNDS=${ROUNDS} npm run bench`;
    process.stdout.write(`\ncommand: ${command}\n\n${table(rows)}\n\n${targetTable(goals)}\n\n${Object.entries(wire).map(([k, w]) => describeProfile(k, w)).join('\n')}\n\n${notes.map((x) => `- ${x}`).join('\n')}\n`);
    const outDir = join(projectRoot(), 'bench-results');
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', node: process.version, mbsync: mbsyncVersion() };
    writeFileSync(file, JSON.stringify({ command, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine, corpus: { mailboxes: MAILBOXES, foldersPerMailbox: 5, ...total, bigMessageBytes: bigRaw.length }, concurrency: CONCURRENCY, rounds: ROUNDS, runs: rows, targets: goals, wire, notes }, null, 2));
    say(`results: ${file}`);
  } finally {
    process.removeListener('SIGINT', stopOnSignal);
    process.removeListener('SIGTERM', stopOnSignal);
    await b.stop();
    await rm(work, { recursive: true, force: true });
  }
}

entry().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
