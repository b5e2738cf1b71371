import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../../shared/config/settings.js';
import { observeImapCommands } from '../../../shared/adapters/imap/command-observer.js';
import { createEngine, type Engine } from '../../../shared/composition/create-engine.js';
import { runBatch } from '../../../shared/engine/run-batch.js';
import { syncFolderFlags } from '../../../shared/engine/sync-flags.js';
import { mailboxKey } from '../../../shared/domain/checkpoints/checkpoint-store.js';
import { getLab, labSettings, type LabInfo } from '../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../lab/mailboxes.js';
import { seedMailbox } from '../../lab/seed.js';
import { bulkCorpus } from '../../lab/corpus.js';
import { withImap } from '../../lab/imap.js';

const MESSAGES = 20_000;
const FOLDERS = 4;
let lab: LabInfo;
let engine: Engine;
let env: Record<string, string>;
/** A new engine (new sessions) so the observer sees every command from the first one. */
const freshEngine = (): Engine => createEngine(loadSettings(env), env, { log: { info: () => undefined, warn: () => undefined } });
let box: string;
const rows = () => [{ line: 2, sourceEmail: box, destinationEmail: box }];

function recordCommands(): { commands: { site: string; command: string }[]; stop: () => void } {
  const commands: { site: string; command: string }[] = [];
  observeImapCommands((site, command) => commands.push({ site, command }));
  return { commands, stop: () => observeImapCommands(undefined) };
}

describe('delta pass over an unchanged 20,000-message mailbox', () => {
  beforeAll(async () => {
    lab = getLab();
    box = uniqueAddress('big');
    await addMailbox(lab, 'source', box);
    await addMailbox(lab, 'destination', box);
    const seeded = await seedMailbox(lab, 'source', box, bulkCorpus(MESSAGES, { folders: FOLDERS, bodyBytes: 200, seed: 'big' }));
    console.log(`[measure] seeded ${seeded.messages} messages in ${seeded.elapsedMs} ms`);
    env = labSettings(lab, { STORAGE_CONNECTION_STRING: '', STATE_DIR: mkdtempSync(join(tmpdir(), 'mailmig-delta-')), RANGE_MAX_MESSAGES: '1000' });
    engine = freshEngine();
    const t0 = Date.now();
    const first = await runBatch(engine, rows(), { batchId: 'big', concurrency: 1, retryBaseMs: 100 });
    console.log(`[measure] first pass: ${first.totals.copied} messages in ${Date.now() - t0} ms`);
    expect(first.totals.copied).toBe(MESSAGES);
  }, 300_000);
  afterAll(async () => engine?.close());

  it('costs one source LIST and one STATUS per folder, and one destination session with one STATUS per folder: no FETCH of any kind, no SELECT, no APPEND', async () => {
    const rec = recordCommands();
    const e2 = freshEngine();
    const t0 = Date.now();
    const delta = await runBatch(e2, rows(), { batchId: 'big', concurrency: 1, retryBaseMs: 100 });
    const ms = Date.now() - t0;
    rec.stop();
    expect(delta.mailboxes[0]!.totals.copiedThisPass).toBe(0);
    const verbs = rec.commands.map((c) => c.command.split(' ')[0]!.toUpperCase() === 'UID' ? `UID ${c.command.split(' ')[1]!.toUpperCase()}` : c.command.split(' ')[0]!.toUpperCase());
    expect(verbs.filter((v) => v.includes('FETCH'))).toEqual([]);
    expect(verbs.filter((v) => ['APPEND', 'SELECT', 'EXAMINE', 'STORE', 'UID STORE'].includes(v))).toEqual([]);
    const folders = (await e2.checkpoints.list(mailboxKey(box, box))).length;
    expect(folders).toBeGreaterThan(FOLDERS);
    expect(rec.commands.filter((c) => c.site === 'source' && /^STATUS/i.test(c.command)).length).toBe(folders); // one per folder, nothing else
    expect(rec.commands.filter((c) => c.site === 'source' && /^LIST/i.test(c.command)).length).toBe(1);
    // Deliberately one pipelined STATUS round at the destination (issue 14): a destination folder a
    // user deleted, recreated or emptied since the last pass is noticed. Nothing else there: no LIST.
    const atDestination = rec.commands.filter((c) => c.site === 'destination').map((c) => c.command.split(' ')[0]!.toUpperCase());
    expect(atDestination.filter((v) => v === 'STATUS').length).toBe(folders);
    expect(new Set(atDestination.filter((v) => v !== 'STATUS'))).toEqual(new Set(atDestination.filter((v) => ['CAPABILITY', 'AUTHENTICATE', 'LOGIN', 'ID', 'ENABLE', 'COMPRESS', 'LOGOUT'].includes(v))));
    expect(atDestination.filter((v) => v === 'AUTHENTICATE' || v === 'LOGIN').length).toBe(1);
    await e2.close();
    console.log(`[measure] no-change delta over ${MESSAGES} messages: ${ms} ms, commands: ${[...new Set(verbs)].map((v) => `${v}×${verbs.filter((x) => x === v).length}`).join(' ')}`);
  });

  it('carrying flag changes costs one FLAGS-only FETCH per folder and side, and a STORE per distinct flag set', async () => {
    await withImap(lab, 'source', box, async (c) => {
      await c.mailboxOpen('Bulk/002');
      await c.messageFlagsAdd('10:19', ['\\Flagged'], { uid: true });
    });
    const rec = recordCommands();
    const e2 = freshEngine();
    let changed = 0;
    for (const cp of await e2.checkpoints.list(mailboxKey(box, box))) {
      const r = await syncFolderFlags(e2, { mailbox: mailboxKey(box, box), sourceEmail: box, destinationEmail: box, sourcePath: cp.sourcePath, destinationPath: cp.destinationPath });
      changed += r.changed;
    }
    rec.stop();
    await e2.close();
    expect(changed).toBe(10);
    const fetches = rec.commands.filter((c) => /FETCH/i.test(c.command));
    expect(fetches.every((c) => /FETCH 1:\* \(UID FLAGS( MODSEQ)?\)$/i.test(c.command))).toBe(true);
    const withMessages = (await e2.checkpoints.list(mailboxKey(box, box))).filter((c) => c.copied > 0).length;
    expect(withMessages).toBe(FOLDERS);
    expect(fetches.filter((c) => c.site === 'source').length).toBe(FOLDERS);
    expect(fetches.filter((c) => c.site === 'destination').length).toBe(FOLDERS);
    const stores = rec.commands.filter((c) => /^(UID )?STORE /i.test(c.command));
    expect(stores.length).toBe(2); // bulkCorpus leaves some unread: [\\Flagged] and [\\Seen \\Flagged]
  });

  it('a delta after one new message re-uses the look at the source: one STATUS per folder in all, then copies just that message', async () => {
    await withImap(lab, 'source', box, async (c) => void (await c.append('Bulk/003', Buffer.from('Subject: late arrival\r\nMessage-ID: <late@lab>\r\n\r\nhello\r\n'), [])));
    const rec = recordCommands();
    const e2 = freshEngine();
    const delta = await runBatch(e2, rows(), { batchId: 'big', concurrency: 1, retryBaseMs: 100 });
    rec.stop();
    await e2.close();
    expect(delta.mailboxes[0]!.totals.copiedThisPass, JSON.stringify(delta.mailboxes[0]!.folders.map((f) => [f.sourcePath, f.state, f.messagesAtSource, f.copiedThisPass]))).toBe(1);
    const folders = (await e2.checkpoints.list(mailboxKey(box, box))).length;
    expect(rec.commands.filter((c) => c.site === 'source' && /^STATUS/i.test(c.command)).length).toBe(folders);
    expect(delta.mailboxes[0]!.folders.filter((f) => f.state !== 'unchanged').map((f) => f.sourcePath)).toEqual(['Bulk/003']);
  });
});
