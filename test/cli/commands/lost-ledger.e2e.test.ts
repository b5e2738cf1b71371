import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../../shared/contracts/report.js';
import { getLab, labSettings, type LabInfo } from '../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../lab/mailboxes.js';
import { seedMailbox } from '../../lab/seed.js';
import { compareSnapshots, snapshotMailbox } from '../../lab/snapshot.js';
import { bulkCorpus, twinsFolder } from '../../lab/corpus.js';
import { runCli, startCli, workDir } from '../../support/run-cli.js';
import { readLedgerSync } from '../../../shared/adapters/state/file-checkpoint-store.js';

let lab: LabInfo;
const PER_MAILBOX = 1200;

/** A settings file beside the work dir's, with its own (empty) STATE_DIR. */
function settingsWithState(dir: string, name: string, values: Record<string, string>): string {
  const path = join(dir, `${name}.settings.json`);
  writeFileSync(path, JSON.stringify({ IsEncrypted: false, Values: { ...values, STATE_DIR: join(dir, name) } }, null, 2));
  return path;
}

function reportOf(stdout: string): BatchReport {
  return JSON.parse(readFileSync(/Report: (.+\.json)/.exec(stdout)![1]!, 'utf8')) as BatchReport;
}

async function expectExact(address: string): Promise<void> {
  const cmp = compareSnapshots(await snapshotMailbox(lab, 'source', address), await snapshotMailbox(lab, 'destination', address));
  expect(cmp.diffs).toEqual([]);
}

describe('mailmig migrate without its ledger: the destination is the truth', () => {
  beforeAll(() => {
    lab = getLab();
  });

  it('a migrated batch, then migrate with an empty STATE_DIR: nothing appended, every folder exact, and it costs reading the destination, not copying it', async () => {
    const mailboxes = [uniqueAddress('lostledger0'), uniqueAddress('lostledger1')];
    for (const [i, a] of mailboxes.entries()) {
      await addMailbox(lab, 'source', a);
      await addMailbox(lab, 'destination', a);
      await seedMailbox(lab, 'source', a, [...bulkCorpus(PER_MAILBOX, { folders: 4, bodyBytes: 2048, seed: `lost-${i}` }), twinsFolder(`lost-${i}`)]);
    }
    const values = labSettings(lab, { STORAGE_CONNECTION_STRING: '', RANGE_MAX_MESSAGES: '100' });
    const w = workDir(values, `Email\n${mailboxes.join('\n')}\n`);
    let t = Date.now();
    const first = await runCli(['migrate', '--csv', w.csvPath, '--settings', settingsWithState(w.dir, 'state-a', values), '--retry-base-ms', '200']);
    const firstMs = Date.now() - t;
    expect(first.code, first.stderr).toBe(0);
    const before = await Promise.all(mailboxes.map((a) => snapshotMailbox(lab, 'destination', a)));

    t = Date.now();
    const again = await runCli(['migrate', '--csv', w.csvPath, '--settings', settingsWithState(w.dir, 'state-b', values), '--retry-base-ms', '200']);
    const againMs = Date.now() - t;
    expect(again.code, again.stderr).toBe(0);
    console.log(`first pass ${firstMs} ms, pass with an empty STATE_DIR ${againMs} ms (${mailboxes.length} x ${PER_MAILBOX + 7} messages)`);

    for (const m of reportOf(again.stdout).mailboxes) {
      expect(m.totals.copiedThisPass).toBe(0);
      expect(m.totals.alreadyPresent).toBe(PER_MAILBOX + 7);
      for (const f of m.folders.filter((x) => x.messagesAtSource > 0)) expect(f.reconciled).toBe(true);
    }
    for (const [i, a] of mailboxes.entries()) {
      expect(compareSnapshots(before[i]!, await snapshotMailbox(lab, 'destination', a)).diffs).toEqual([]);
      await expectExact(a);
    }
  }, 300_000);

  it('a destination holding part of the source (one of three twins among it) and no ledger: only what is missing is appended, twins stay twins', async () => {
    const a = uniqueAddress('partialdest');
    await addMailbox(lab, 'source', a);
    await addMailbox(lab, 'destination', a);
    const source = [...bulkCorpus(90, { folders: 2, seed: 'partial' }), twinsFolder('partial')];
    await seedMailbox(lab, 'source', a, source);
    // Every third message already there (the first twin among them), in another order.
    await seedMailbox(lab, 'destination', a, source.map((f) => ({ ...f, messages: f.messages.filter((_, i) => i % 3 === 0).reverse() })));
    const present = source.reduce((n, f) => n + f.messages.filter((_, i) => i % 3 === 0).length, 0);
    const total = source.reduce((n, f) => n + f.messages.length, 0);
    // Ranges of two messages: a twin matched in one range must not stand in for another later.
    const w = workDir(labSettings(lab, { STORAGE_CONNECTION_STRING: '', RANGE_MAX_MESSAGES: '2' }), `Email\n${a}\n`);
    const r = await runCli(['migrate', '--csv', w.csvPath, '--settings', w.settingsPath, '--retry-base-ms', '200']);
    expect(r.code, r.stderr).toBe(0);
    const m = reportOf(r.stdout).mailboxes[0]!;
    expect(m.totals.alreadyPresent).toBe(present);
    expect(m.totals.copiedThisPass).toBe(total - present);
    await expectExact(a);
  }, 180_000);

  it('a reconciling pass killed mid-way and run again: still exact, twins included (the range in flight is compared with everything)', async () => {
    const a = uniqueAddress('reconcilekill');
    await addMailbox(lab, 'source', a);
    await addMailbox(lab, 'destination', a);
    const source = [...bulkCorpus(600, { folders: 2, bodyBytes: 1024, seed: 'reconcile-kill' }), twinsFolder('reconcile-kill')];
    await seedMailbox(lab, 'source', a, source);
    await seedMailbox(lab, 'destination', a, source.map((f) => ({ ...f, messages: f.messages.filter((_, i) => i % 2 === 0) })));
    const w = workDir(labSettings(lab, { STORAGE_CONNECTION_STRING: '', RANGE_MAX_MESSAGES: '10', MAX_CONNECTIONS_PER_MAILBOX: '1' }), `Email\n${a}\n`);
    const dir = join(w.dir, 'state', 'checkpoints');
    const done = (): number => {
      let n = 0;
      try {
        for (const f of readdirSync(dir).filter((x) => x.endsWith('.journal'))) {
          try {
            for (const c of Object.values(readLedgerSync(join(dir, f.replace(/\.journal$/, '.json')))?.folders ?? {})) n += c.copied + c.alreadyPresent;
          } catch {
            /* being written */
          }
        }
      } catch {
        return 0;
      }
      return n;
    };
    const run = startCli(['migrate', '--csv', w.csvPath, '--settings', w.settingsPath, '--retry-base-ms', '200']);
    const started = Date.now();
    while (done() < 150 && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 10));
    run.child.kill('SIGKILL');
    expect((await run.done).code).toBeNull();
    const again = await runCli(['migrate', '--csv', w.csvPath, '--settings', w.settingsPath, '--retry-base-ms', '200']);
    expect(again.code, again.stderr).toBe(0);
    await expectExact(a);
  }, 180_000);
});
