import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FolderReport } from '../../../shared/contracts/report.js';
import { bulkCorpus, makeMessage, twinsFolder } from '../../lab/corpus.js';
import { withImap } from '../../lab/imap.js';
import { getLab, type LabInfo } from '../../lab/lab-info.js';
import { compareSnapshots, snapshotMailbox } from '../../lab/snapshot.js';
import { runThroughEngine, type EngineRun } from '../../support/engine-run.js';
import { duplicatesAtDestination, seededPair } from '../../support/lab-mailbox.js';

/**
 * The destination is the truth in a delta too: a destination folder a user deleted, recreated or
 * partly emptied since the last pass is noticed by the next delta (the source unchanged) and
 * refilled with exactly what is missing, every folder compared message by message.
 */

let lab: LabInfo;

const byPath = (run: EngineRun): Map<string, FolderReport> => new Map(run.report.mailboxes[0]!.folders.map((f) => [f.sourcePath, f]));

async function passes(address: string, stateDir: string): Promise<EngineRun> {
  const run = await runThroughEngine(lab, [address], { stateDir, settings: { RANGE_MAX_MESSAGES: '10' } });
  expect(run.report.mailboxes.map((m) => m.error?.code ?? m.state), run.log.join('\n')).toEqual(['completed']);
  return run;
}

describe('a delta repairs destination folders a user changed since the last pass', () => {
  beforeAll(() => {
    lab = getLab();
  });

  it('deleted, deleted and recreated with a message of the user, partly emptied (one of three twins among what was deleted): the next delta refills each exactly, nothing twice, the user\'s message left alone, and the report says repaired and why', async () => {
    const address = await seededPair(lab, 'dtruth', [...bulkCorpus(90, { folders: 3, bodyBytes: 400, seed: 'dtruth' }), twinsFolder('dtruth')]);
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-dtruth-'));
    await passes(address, stateDir);
    const userMessage = makeMessage({ subject: 'My own note', from: 'me@contoso.example', to: 'me@contoso.example', date: new Date(Date.UTC(2025, 1, 2)), seed: 'dtruth-user' });
    await withImap(lab, 'destination', address, async (c) => {
      await c.mailboxDelete('Bulk/001');
      await c.mailboxDelete('Bulk/002');
      await c.mailboxCreate('Bulk/002');
      await c.append('Bulk/002', userMessage, ['\\Flagged'], new Date(Date.UTC(2025, 1, 2)));
      await c.mailboxOpen('Bulk/003');
      await c.messageDelete('1:7'); // 7 of 30, expunged
      await c.mailboxOpen('Twins');
      await c.messageDelete('1:3'); // the first twin, another message, the second twin
    });

    const delta = await passes(address, stateDir);
    // Exact, as a multiset per folder: the only difference is the user's own message, untouched.
    const cmp = compareSnapshots(await snapshotMailbox(lab, 'source', address), await snapshotMailbox(lab, 'destination', address));
    expect(cmp.missing).toEqual([]);
    expect(cmp.extra.map((e) => [e.folder, e.message.flags])).toEqual([['Bulk/002', ['\\Flagged']]]);
    expect(cmp.diffs.filter((d) => !d.includes(' extra '))).toEqual([]);
    expect((await duplicatesAtDestination(lab, address)).filter((d) => !d.startsWith('Twins:'))).toEqual([]);

    const folders = byPath(delta);
    expect(folders.get('Bulk/001')?.repaired?.reason).toBe('DESTINATION_FOLDER_GONE');
    expect(folders.get('Bulk/002')?.repaired?.reason).toBe('DESTINATION_FOLDER_RECREATED');
    expect(folders.get('Bulk/003')?.repaired?.reason).toBe('DESTINATION_MESSAGES_MISSING');
    expect(folders.get('Twins')?.repaired?.reason).toBe('DESTINATION_MESSAGES_MISSING');
    expect([...folders.values()].filter((f) => f.repaired === undefined).every((f) => f.state === 'unchanged')).toBe(true);
    expect([folders.get('Bulk/001')?.copiedThisPass, folders.get('Bulk/002')?.copiedThisPass, folders.get('Bulk/003')?.copiedThisPass, folders.get('Twins')?.copiedThisPass]).toEqual([30, 30, 7, 3]);
    expect(folders.get('Bulk/003')?.alreadyPresent).toBe(23);

    // Repaired means settled: the delta after it finds nothing to do.
    const after = await passes(address, stateDir);
    expect([...byPath(after).values()].map((f) => [f.sourcePath, f.state, f.repaired])).toEqual([...byPath(after).values()].map((f) => [f.sourcePath, 'unchanged', undefined]));
  }, 180_000);

  it('a ledger written before destination records: the next no-change delta records them, and a folder deleted after that is repaired', async () => {
    const address = await seededPair(lab, 'dtruthold', bulkCorpus(40, { folders: 2, bodyBytes: 400, seed: 'dtruthold' }));
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-dtruthold-'));
    await passes(address, stateDir);
    // What an older mailmig left: the same ledger without the destination fields.
    const dir = join(stateDir, 'checkpoints');
    let stripped = 0;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.json') || x.endsWith('.journal'))) {
      const text = readFileSync(join(dir, f), 'utf8');
      const old = text.replace(/,"destination":\{[^}]*\}/g, '');
      stripped += text.length - old.length;
      writeFileSync(join(dir, f), old);
    }
    expect(stripped).toBeGreaterThan(0);
    const quiet = await passes(address, stateDir);
    expect(quiet.report.mailboxes[0]!.totals.copiedThisPass).toBe(0);
    await withImap(lab, 'destination', address, (c) => c.mailboxDelete('Bulk/002').then(() => undefined));

    const delta = await passes(address, stateDir);
    const cmp = compareSnapshots(await snapshotMailbox(lab, 'source', address), await snapshotMailbox(lab, 'destination', address));
    expect(cmp.diffs).toEqual([]);
    expect(byPath(delta).get('Bulk/002')?.repaired?.reason).toBe('DESTINATION_FOLDER_GONE');
  }, 180_000);
});
