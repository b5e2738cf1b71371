import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bulkCorpus, makeMessage, prng } from '../../lab/corpus.js';
import { FaultProxy } from '../../lab/fault-proxy.js';
import { getLab } from '../../lab/lab-info.js';
import type { SeedMessage } from '../../lab/seed.js';
import { startFarRun } from '../../support/far-run.js';
import { killUntilDone } from '../../support/kill-run.js';
import { compareCopy, seededPair } from '../../support/lab-mailbox.js';

/**
 * A far batch whose one big folder is copied over three lanes, SIGKILLed (no handler runs,
 * nothing is flushed) after a random APPEND command, again and again, then run until it ends;
 * two of the re-runs start from an empty state directory, as after a lost ledger. The folder
 * holds exact twins in different lanes. Source and destination must then compare as multisets.
 * The engine runs in a process of its own (test/support/far-run-child.ts, from the build).
 * MAILMIG_KILL_SEED replays the moments (not the machine's timing); MAILMIG_KILL_LOG=1 prints the runs.
 */

const SEED = process.env.MAILMIG_KILL_SEED ?? String(Date.now() % 1_000_000_007);
const rnd = prng(`lanes-${SEED}`);
const KILLS = 8;
/** Kills (0-based) whose re-run starts from an empty state directory. */
const LOST_LEDGER_AT = [2, 5];

const proxies: FaultProxy[] = [];
afterAll(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
});

describe('lanes killed mid-copy', () => {
  it(`SIGKILLed after random APPENDs while three lanes copy, re-run until done: nothing missing, nothing twice (seed ${SEED})`, async () => {
    const lab = getLab();
    const folders = bulkCorpus(240, { folders: 1, bodyBytes: 100_000, seed: `lanes-kill-${SEED}` });
    const date = new Date(Date.UTC(2024, 4, 1, 8, 0, 0));
    const twin: SeedMessage = { raw: makeMessage({ subject: 'Twin across lanes', from: 'a@contoso.example', to: 'b@contoso.example', date, bodyBytes: 100_000, seed: 'kill-twin' }), flags: ['\\Seen'], internalDate: date };
    for (const at of [230, 160, 81, 70, 5]) folders[0]!.messages.splice(at, 0, twin);
    const address = await seededPair(lab, 'lanes-kill', folders);
    const source = await FaultProxy.forLab(lab, 'source');
    const destination = await FaultProxy.forLab(lab, 'destination');
    proxies.push(source, destination);
    // Each APPEND answered a little late: a kill lands with commands in flight on several lanes.
    destination.addFault({ on: { name: 'APPEND', user: address, times: 1_000_000 }, action: { kind: 'delay', ms: 40 } });
    const settings = { SOURCE_IMAP_PORT: String(source.port), DESTINATION_IMAP_PORT: String(destination.port), MAX_CONNECTIONS_PER_MAILBOX: '3', MESSAGES_PER_FOLDER_WORKER: '1', APPEND_BATCH_MESSAGES: '20' };
    const lanesPerRun: number[] = [];
    let before = 0;
    const { finished, log } = await killUntilDone({
      destination,
      kills: KILLS,
      lostLedgerAt: LOST_LEDGER_AT,
      freshStateDir: () => mkdtempSync(join(tmpdir(), 'mailmig-lanes-kill-')),
      moment: () => ({ afterAppend: 1 + Math.floor(rnd() * 6) }),
      start: (stateDir) => startFarRun({ addresses: [address], stateDir, settings }),
      beforeRun: () => (before = source.commands.length),
      // The source connections that read bodies in the run: its lanes.
      afterRun: () => lanesPerRun.push(new Set(source.commands.slice(before).filter((c) => c.name === 'UID FETCH' && /BODY/.test(c.args)).map((c) => c.connection)).size),
    });
    if (process.env.MAILMIG_KILL_LOG) process.stdout.write(`${log.join('\n')}\nlanes per run: ${lanesPerRun.join(' ')}\n`);
    expect(finished, log.join('\n')).toBe(true);
    expect(log.filter((l) => l.includes('killed')).length, log.join('\n')).toBeGreaterThanOrEqual(3);
    // The kills came while lanes were copying.
    expect(Math.max(...lanesPerRun), log.join('\n')).toBe(3);
    const cmp = await compareCopy(lab, address);
    expect({ missing: cmp.missing, extra: cmp.extra, diffs: cmp.diffs }, log.join('\n')).toEqual({ missing: [], extra: [], diffs: [] });
  }, 240_000);
});
