import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getLab, labSettings, type LabInfo } from '../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../lab/mailboxes.js';
import { seedMailbox } from '../../lab/seed.js';
import { compareSnapshots, snapshotMailbox } from '../../lab/snapshot.js';
import { bulkCorpus } from '../../lab/corpus.js';
import { runCli, startCli, workDir } from '../../support/run-cli.js';
import { readLedgerSync } from '../../../shared/adapters/state/file-checkpoint-store.js';

let lab: LabInfo;
const mailboxes: string[] = [];
const PER_MAILBOX = 600;

/** Messages the ledger says are copied so far (snapshot plus journal), read while the CLI runs. */
function copiedSoFar(stateDir: string): number {
  const dir = join(stateDir, 'checkpoints');
  let n = 0;
  try {
    const ledgers = new Set(readdirSync(dir).flatMap((f) => (/\.(json|journal)$/.test(f) ? [f.replace(/\.journal$/, '.json')] : [])));
    for (const f of ledgers) {
      try {
        for (const c of Object.values(readLedgerSync(join(dir, f))?.folders ?? {})) n += c.copied;
      } catch {
        /* being renamed */
      }
    }
  } catch {
    return 0;
  }
  return n;
}

describe('mailmig migrate, killed mid-batch and started again', () => {
  beforeAll(async () => {
    lab = getLab();
    for (let i = 0; i < 3; i++) {
      const a = uniqueAddress(`resume${i}`);
      mailboxes.push(a);
      await addMailbox(lab, 'source', a);
      await addMailbox(lab, 'destination', a);
    }
    for (const [i, a] of mailboxes.entries()) await seedMailbox(lab, 'source', a, bulkCorpus(PER_MAILBOX, { folders: 3, bodyBytes: 2048, seed: `resume-${i}` }));
  }, 180_000);

  it('resume: SIGKILL in the middle of copying, then the same command again -> nothing missing, nothing duplicated', async () => {
    // Small ranges and one folder at a time, so the kill lands between and inside ranges.
    const w = workDir(labSettings(lab, { STORAGE_CONNECTION_STRING: '', RANGE_MAX_MESSAGES: '25', MAX_CONNECTIONS_PER_MAILBOX: '1' }), `Email\n${mailboxes.join('\n')}\n`);
    const stateDir = join(w.dir, 'state');
    const run = startCli(['migrate', '--csv', w.csvPath, '--settings', w.settingsPath, '--concurrency', '3']);
    const started = Date.now();
    while (copiedSoFar(stateDir) < 300 && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 20));
    run.child.kill('SIGKILL');
    const killed = await run.done;
    expect(killed.code).toBeNull(); // really killed, not finished
    const atKill = copiedSoFar(stateDir);
    expect(atKill).toBeGreaterThanOrEqual(300);
    expect(atKill).toBeLessThan(3 * PER_MAILBOX);

    const again = await runCli(['migrate', '--csv', w.csvPath, '--settings', w.settingsPath, '--concurrency', '3']);
    expect(again.code, again.stderr).toBe(0);
    for (const a of mailboxes) {
      const cmp = compareSnapshots(await snapshotMailbox(lab, 'source', a), await snapshotMailbox(lab, 'destination', a));
      expect(cmp.diffs).toEqual([]);
    }
    expect(copiedSoFar(stateDir)).toBeLessThanOrEqual(3 * PER_MAILBOX);
  });
});
