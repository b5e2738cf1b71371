import { describe, expect, test } from 'vitest';
import { EXCHANGE_TO_STANDARD_FOLDERS, LARGE_MESSAGE_SUBJECT, bulkCorpus, standardCorpus } from './corpus.js';
import { withImap } from './imap.js';
import { getLab } from './lab-info.js';
import { addMailbox, uniqueAddress } from './mailboxes.js';
import { seedMailbox } from './seed.js';
import { compareSnapshots, expectedSnapshot, folderCounts, snapshotMailbox, type MailboxSnapshot, type SnapshotMessage } from './snapshot.js';

describe('seeding and snapshots on the lab servers', () => {
  const info = getLab();

  test('the standard corpus seeded into the source snapshots back byte for byte, with flags and internal dates', async () => {
    const address = uniqueAddress('corpus');
    await addMailbox(info, 'source', address);
    const corpus = standardCorpus();
    const seeded = await seedMailbox(info, 'source', address, corpus);
    expect(seeded.messages).toBe(corpus.reduce((n, f) => n + f.messages.length, 0));
    const actual = await snapshotMailbox(info, 'source', address);
    const cmp = compareSnapshots(expectedSnapshot('source', address, corpus), actual);
    expect(cmp.diffs).toEqual([]);
    expect(cmp.equal).toBe(true);
    // Unicode names came back through modified UTF-7, parents are real folders, special use kept.
    expect(Object.keys(actual.folders)).toEqual(expect.arrayContaining(['Entwürfe alt', 'Входящие', 'Входящие/Архив', '日本語', 'Team.Notes', 'Projects', 'Projects/2024', 'Projects/2024/Q1']));
    expect(actual.folders['Sent Items']?.specialUse).toBe('\\Sent');
  });

  test('seeding refuses a special-use folder the server does not have under that name', async () => {
    const address = uniqueAddress('special');
    await addMailbox(info, 'destination', address);
    await expect(seedMailbox(info, 'destination', address, [{ path: 'Sent Items', specialUse: '\\Sent', messages: [] }])).rejects.toThrow(/"Sent Items" is not \\Sent on the destination server/);
  });

  test('seeding the destination stops at the message over its size limit, naming the folder and the NO [LIMIT]', async () => {
    const address = uniqueAddress('toolarge');
    await addMailbox(info, 'destination', address);
    const inbox = standardCorpus({ flavor: 'standard' }).filter((f) => f.path === 'INBOX');
    await expect(seedMailbox(info, 'destination', address, inbox)).rejects.toThrow(/APPEND #10 to "INBOX" failed: \d+ NO \[LIMIT\] Mail size is larger/);
  });

  test('a naive copy source -> destination compares equal under the Exchange -> standard folder map, except the over-size message', async () => {
    const from = uniqueAddress('copy-src');
    const to = uniqueAddress('copy-dst');
    await addMailbox(info, 'source', from);
    await addMailbox(info, 'destination', to);
    await seedMailbox(info, 'source', from, standardCorpus());
    // Copy what the destination accepts: read all (bounded: the corpus is small), then append.
    const folders = await withImap(info, 'source', from, async (src) => {
      const out: { path: string; messages: { raw: Buffer; flags: string[]; internalDate: Date }[] }[] = [];
      for (const f of await src.list()) {
        await src.mailboxOpen(f.path, { readOnly: true });
        const rows = await src.fetchAll('1:*', { flags: true, internalDate: true, source: true, envelope: true });
        out.push({
          path: EXCHANGE_TO_STANDARD_FOLDERS[f.path] ?? f.path,
          messages: rows.filter((r) => r.envelope?.subject !== LARGE_MESSAGE_SUBJECT).map((r) => ({ raw: r.source!, flags: [...(r.flags ?? [])], internalDate: new Date(r.internalDate!) })),
        });
      }
      return out;
    });
    await seedMailbox(info, 'destination', to, folders);
    const cmp = compareSnapshots(await snapshotMailbox(info, 'source', from), await snapshotMailbox(info, 'destination', to), { folderMap: EXCHANGE_TO_STANDARD_FOLDERS });
    expect(cmp.missing.map((m) => m.folder)).toEqual(['INBOX']);
    expect(cmp.missing[0]!.message.size).toBeGreaterThan(info.imap.destination.maxMailSizeBytes!);
    expect(cmp.extra).toEqual([]);
    expect(cmp.diffs).toHaveLength(1);
  });

  test('2,000 small messages in 4 folders seed over parallel connections and snapshot in bounded ranges', async () => {
    const address = uniqueAddress('bulk');
    await addMailbox(info, 'source', address);
    const corpus = bulkCorpus(2000, { folders: 4 });
    const seeded = await seedMailbox(info, 'source', address, corpus);
    const started = Date.now();
    const snap = await snapshotMailbox(info, 'source', address, { rangeSize: 300 });
    console.log(`[lab] seeded 2,000 messages in ${seeded.elapsedMs} ms, snapshot in ${Date.now() - started} ms`);
    expect(folderCounts(snap)).toMatchObject({ 'Bulk/001': 500, 'Bulk/002': 500, 'Bulk/003': 500, 'Bulk/004': 500 });
    expect(compareSnapshots(expectedSnapshot('source', address, corpus), snap).equal).toBe(true);
  });

  test.runIf(process.env.MAILMIG_LAB_VOLUME === '1')('20,000 small messages in 10 folders seed in well under a minute (MAILMIG_LAB_VOLUME=1)', async () => {
    const address = uniqueAddress('volume');
    await addMailbox(info, 'source', address);
    const corpus = bulkCorpus(20_000, { folders: 10 });
    const seeded = await seedMailbox(info, 'source', address, corpus);
    const started = Date.now();
    const snap = await snapshotMailbox(info, 'source', address);
    console.log(`[lab] seeded 20,000 messages in ${seeded.elapsedMs} ms (${Math.round(20_000 / (seeded.elapsedMs / 1000))} msg/s), snapshot in ${Date.now() - started} ms`);
    expect(seeded.messages).toBe(20_000);
    expect(compareSnapshots(expectedSnapshot('source', address, corpus), snap).equal).toBe(true);
  }, 300_000);
});

describe('compareSnapshots', () => {
  const m = (sha: string, flags: string[] = ['\\Seen'], date = '2024-01-01T00:00:00.000Z'): SnapshotMessage => ({ sha256: sha.padEnd(64, '0'), size: 10, flags, internalDate: date });
  const snap = (folders: Record<string, SnapshotMessage[]>): MailboxSnapshot => ({
    server: 'source',
    address: 'x@contoso.example',
    folders: Object.fromEntries(Object.entries(folders).map(([p, messages]) => [p, { messages }])),
  });

  test('equal multisets compare equal, duplicates counted', () => {
    expect(compareSnapshots(snap({ INBOX: [m('a'), m('a'), m('b')] }), snap({ inbox: [m('b'), m('a'), m('a')] })).equal).toBe(true);
    const cmp = compareSnapshots(snap({ INBOX: [m('a'), m('a')] }), snap({ INBOX: [m('a')] }));
    expect(cmp.missing).toEqual([{ folder: 'INBOX', message: m('a') }]);
  });

  test('same bytes with other flags or date is a change, not missing + extra', () => {
    const cmp = compareSnapshots(snap({ INBOX: [m('a'), m('b')] }), snap({ INBOX: [m('a', ['\\Seen', '\\Flagged']), m('b', ['\\Seen'], '2024-02-01T00:00:00.000Z')] }));
    expect(cmp.missing).toEqual([]);
    expect(cmp.extra).toEqual([]);
    expect(cmp.diffs).toEqual([
      expect.stringMatching(/message a0+ changed: flags \[\\Seen\] -> \[\\Seen \\Flagged\]$/),
      expect.stringMatching(/message b0+ changed: internalDate 2024-01-01T00:00:00.000Z -> 2024-02-01T00:00:00.000Z$/),
    ]);
  });

  test('folderMap renames folders of a, ignoreFolders drops them, an empty folder on one side is not a difference', () => {
    const a = snap({ 'Sent Items': [m('s')], Junk: [m('j')], Empty: [] });
    const b = snap({ Sent: [m('s')], Other: [] });
    expect(compareSnapshots(a, b, { folderMap: { 'Sent Items': 'Sent' }, ignoreFolders: ['Junk'] }).equal).toBe(true);
    const strict = compareSnapshots(a, b, { folderMap: { 'Sent Items': 'Sent' }, ignoreFolders: ['Junk'], strictFolders: true });
    expect(strict.diffs).toEqual(['folder "Empty": only in a', 'folder "Other": only in b']);
  });

  test('a message in the wrong folder is missing from one and extra in the other', () => {
    const cmp = compareSnapshots(snap({ A: [m('x')], B: [] }), snap({ A: [], B: [m('x')] }));
    expect(cmp.missing).toEqual([{ folder: 'A', message: m('x') }]);
    expect(cmp.extra).toEqual([{ folder: 'B', message: m('x') }]);
  });
});
