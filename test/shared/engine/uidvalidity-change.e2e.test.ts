import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../../shared/config/settings.js';
import { observeImapCommands } from '../../../shared/adapters/imap/command-observer.js';
import { expandUidSet } from '../../../shared/adapters/imap/uid-set.js';
import { createEngine, type Engine } from '../../../shared/composition/create-engine.js';
import { runBatch } from '../../../shared/engine/run-batch.js';
import { getLab, labSettings, type LabInfo } from '../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../lab/mailboxes.js';
import { seedMailbox } from '../../lab/seed.js';
import { bulkCorpus } from '../../lab/corpus.js';
import { withImap } from '../../lab/imap.js';
import { compareCopy, duplicatesAtDestination } from '../../support/lab-mailbox.js';

/**
 * A source folder whose UIDVALIDITY changes between passes (rebuilt index, restored mailbox):
 * its old UIDs mean nothing, so the pass re-plans it from UID 1 and compares every range with the
 * whole destination folder. Nothing may be copied twice, the new messages must arrive, and the
 * destination folder is read once for the pass, not once per range.
 */

const FOLDER = 'Bulk/001';
let lab: LabInfo;
let env: Record<string, string>;
let box: string;
const engines: Engine[] = [];
const engine = (): Engine => {
  const e = createEngine(loadSettings(env), env, { log: { info: () => undefined, warn: () => undefined } });
  engines.push(e);
  return e;
};
const rows = () => [{ line: 2, sourceEmail: box, destinationEmail: box }];

async function uidValidity(): Promise<string> {
  return withImap(lab, 'source', box, async (c) => {
    const status = await c.status(FOLDER, { uidValidity: true });
    return status ? String(status.uidValidity) : '';
  });
}

/** Deletes the source folder and puts its messages back (a new UIDVALIDITY), plus `extra` new ones. */
async function rebuildSourceFolder(extra: number): Promise<void> {
  const before = await uidValidity();
  const again = bulkCorpus(30 + extra, { folders: 1, bodyBytes: 1500, seed: 'uidv' })[0]!.messages;
  for (let attempt = 0; attempt < 3 && (await uidValidity().catch(() => before)) === before; attempt++) {
    // Dovecot derives a new folder's UIDVALIDITY from the clock: a second apart it differs.
    await new Promise((r) => setTimeout(r, 1100));
    await withImap(lab, 'source', box, async (c) => {
      await c.mailboxDelete(FOLDER);
      await c.mailboxCreate(FOLDER);
      for (const m of again) await c.append(FOLDER, m.raw, m.flags ?? [], m.internalDate);
    });
  }
  expect(await uidValidity()).not.toBe(before);
}

describe('a source folder whose UIDVALIDITY changed between passes', () => {
  beforeAll(async () => {
    lab = getLab();
    box = uniqueAddress('uidv');
    await addMailbox(lab, 'source', box);
    await addMailbox(lab, 'destination', box);
    await seedMailbox(lab, 'source', box, bulkCorpus(30, { folders: 1, bodyBytes: 1500, seed: 'uidv' }));
    env = labSettings(lab, { STORAGE_CONNECTION_STRING: '', STATE_DIR: mkdtempSync(join(tmpdir(), 'mailmig-uidv-')), RANGE_MAX_MESSAGES: '10' });
    const first = await runBatch(engine(), rows(), { batchId: 'uidv', concurrency: 1, retryBaseMs: 100 });
    expect(first.totals.copied).toBe(30);
  }, 120_000);
  afterAll(async () => {
    for (const e of engines) await e.close();
  });

  it('copies only the new messages, duplicates none, and reads each destination message once for the pass', async () => {
    await rebuildSourceFolder(5);
    const bodiesRead: number[] = [];
    observeImapCommands((site, command) => {
      const m = /^UID FETCH ([\d:,]+) .*BODY\.PEEK\[\]/i.exec(command);
      if (site === 'destination' && m) bodiesRead.push(...(expandUidSet(m[1]!) ?? []));
    });
    let delta;
    try {
      delta = await runBatch(engine(), rows(), { batchId: 'uidv', concurrency: 1, retryBaseMs: 100 });
    } finally {
      observeImapCommands(undefined);
    }
    const [mailbox] = delta.mailboxes;
    const folder = mailbox!.folders.find((f) => f.sourcePath === FOLDER)!;
    expect(folder.copiedThisPass).toBe(5);
    const cmp = await compareCopy(lab, box);
    expect(cmp.missing).toEqual([]);
    expect(cmp.extra).toEqual([]);
    expect(await duplicatesAtDestination(lab, box)).toEqual([]);
    // Four ranges of the 35 source messages, each compared with the whole destination folder:
    // its 30 old copies are read once (then known by UID), not once per range.
    expect(bodiesRead.length).toBeGreaterThanOrEqual(30);
    expect(new Set(bodiesRead).size, `destination UIDs read: ${bodiesRead.join(',')}`).toBe(bodiesRead.length);
  }, 120_000);
});
