import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bulkCorpus, prng } from '../../lab/corpus.js';
import { FaultProxy } from '../../lab/fault-proxy.js';
import { getLab } from '../../lab/lab-info.js';
import { startFarRun } from '../../support/far-run.js';
import { killUntilDone } from '../../support/kill-run.js';
import { compareCopy, seededPair } from '../../support/lab-mailbox.js';

/**
 * A far mailbox of more folders than workers: each folder whose bodies have all arrived frees its
 * worker, and the next folder plans, fetches and takes over its APPEND connection while its last
 * APPENDs are answered. SIGKILLed (no handler runs) after a random APPEND command, again and again,
 * then run until it ends; two re-runs start from an empty state directory. Folders hold exact
 * twins. Source and destination must then compare as multisets, folder by folder.
 * MAILMIG_KILL_SEED replays the moments (not the machine's timing); MAILMIG_KILL_LOG=1 prints the runs.
 */

const SEED = process.env.MAILMIG_KILL_SEED ?? String(Date.now() % 1_000_000_007);
const rnd = prng(`handover-${SEED}`);
const KILLS = 8;
const LOST_LEDGER_AT = [2, 5];

const proxies: FaultProxy[] = [];
afterAll(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
});

describe('folders handed on while their last APPENDs are answered, killed mid-copy', () => {
  it(`SIGKILLed after random APPENDs, re-run until done: nothing missing, nothing twice (seed ${SEED})`, async () => {
    const lab = getLab();
    const folders = bulkCorpus(96, { folders: 8, bodyBytes: 20_000, seed: `handover-kill-${SEED}` });
    // Exact twins in every other folder: one stored copy stands for one of them only.
    for (const f of folders.filter((_, i) => i % 2 === 0)) f.messages.splice(3, 0, f.messages[7]!, f.messages[7]!);
    const address = await seededPair(lab, 'handover-kill', folders);
    const source = await FaultProxy.forLab(lab, 'source');
    const destination = await FaultProxy.forLab(lab, 'destination');
    proxies.push(source, destination);
    // APPENDs answered late: a folder's last answers are still out when the next folder starts.
    destination.addFault({ on: { name: 'APPEND', user: address, times: 1_000_000 }, action: { kind: 'delay', ms: 60 } });
    const settings = { SOURCE_IMAP_PORT: String(source.port), DESTINATION_IMAP_PORT: String(destination.port), MAX_CONNECTIONS_PER_MAILBOX: '3', APPEND_BATCH_MESSAGES: '4' };
    const { finished, log } = await killUntilDone({
      destination,
      kills: KILLS,
      lostLedgerAt: LOST_LEDGER_AT,
      freshStateDir: () => mkdtempSync(join(tmpdir(), 'mailmig-handover-kill-')),
      moment: () => ({ afterAppend: 2 + Math.floor(rnd() * 10) }),
      start: (stateDir) => startFarRun({ addresses: [address], stateDir, settings }),
    });
    if (process.env.MAILMIG_KILL_LOG) process.stdout.write(`${log.join('\n')}\n`);
    expect(finished, log.join('\n')).toBe(true);
    expect(log.filter((l) => l.includes('killed')).length, log.join('\n')).toBeGreaterThanOrEqual(3);
    // Compared as multisets folder by folder: a twin stored once too often is extra, one lost is missing.
    const cmp = await compareCopy(lab, address);
    expect({ missing: cmp.missing, extra: cmp.extra, diffs: cmp.diffs }, log.join('\n')).toEqual({ missing: [], extra: [], diffs: [] });
  }, 240_000);
});
