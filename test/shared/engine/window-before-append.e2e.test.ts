import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../../shared/config/settings.js';
import { observeImapCommands } from '../../../shared/adapters/imap/command-observer.js';
import { createEngine, type Engine } from '../../../shared/composition/create-engine.js';
import { runBatch } from '../../../shared/engine/run-batch.js';
import { getLab, labSettings } from '../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../lab/mailboxes.js';
import { seedMailbox } from '../../lab/seed.js';
import { bulkCorpus } from '../../lab/corpus.js';

/**
 * A range's retry window (the destination's UIDNEXT) must be on record before its first APPEND
 * leaves: a crash in between would otherwise leave copies no retry looks for. The write runs
 * beside the source FETCH; here it is made slow, and the first APPEND must still wait for it.
 */

let engine: Engine | undefined;

describe('the retry window is recorded before the first APPEND', () => {
  afterAll(async () => engine?.close());

  it('even when the ledger write is slower than the source FETCH', async () => {
    const lab = getLab();
    const box = uniqueAddress('window');
    await addMailbox(lab, 'source', box);
    await addMailbox(lab, 'destination', box);
    await seedMailbox(lab, 'source', box, bulkCorpus(12, { folders: 1, bodyBytes: 1500, seed: 'window' }));
    const env = labSettings(lab, { STORAGE_CONNECTION_STRING: '', STATE_DIR: mkdtempSync(join(tmpdir(), 'mailmig-window-')) });
    engine = createEngine(loadSettings(env), env, { log: { info: () => undefined, warn: () => undefined } });
    const events: string[] = [];
    const put = engine.checkpoints.put.bind(engine.checkpoints);
    engine.checkpoints.put = async (mailbox, cp) => {
      const window = cp.inFlight !== undefined;
      if (window) await new Promise((r) => setTimeout(r, 300));
      await put(mailbox, cp);
      if (window) events.push(`window recorded ${cp.sourcePath}`);
    };
    observeImapCommands((site, command) => {
      if (site === 'destination' && /^APPEND /i.test(command)) events.push(`APPEND ${command.split(' ')[1]}`);
    });
    try {
      const report = await runBatch(engine, [{ line: 2, sourceEmail: box, destinationEmail: box }], { batchId: 'window', concurrency: 1, retryBaseMs: 100 });
      expect(report.totals.copied).toBe(12);
    } finally {
      observeImapCommands(undefined);
    }
    const firstAppend = events.findIndex((e) => e.startsWith('APPEND'));
    expect(firstAppend, events.join('\n')).toBeGreaterThan(0);
    expect(events.slice(0, firstAppend), events.join('\n')).toContain('window recorded Bulk/001');
  });
});
