import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailboxReport } from '../../../../shared/contracts/report.js';
import { getLab, type LabInfo } from '../../../lab/lab-info.js';
import { makeMessage } from '../../../lab/corpus.js';
import { withImap } from '../../../lab/imap.js';
import type { SeedFolder } from '../../../lab/seed.js';
import { compareSnapshots, snapshotMailbox } from '../../../lab/snapshot.js';
import { runThroughEngine } from '../../../support/engine-run.js';
import { FaultProxy } from '../../../lab/fault-proxy.js';
import { duplicatesAtDestination, seededPair } from '../../../support/lab-mailbox.js';
import type { AppUnderTest } from '../../../support/durable-app/app-under-test.js';
import { cutOverAfter } from '../../../support/durable-app/staged-batch.js';

let lab: LabInfo;
const apps: AppUnderTest[] = [];

const message = (tag: string, i: number) => makeMessage({ subject: `${tag} ${i}`, from: 'a@contoso.example', to: 'b@contoso.example', date: new Date(Date.UTC(2024, 2, 1 + i)), seed: `${tag}${i}` });
const folder = (path: string, n: number, tag: string): SeedFolder => ({ path, messages: Array.from({ length: n }, (_, i) => ({ raw: message(`${tag} ${path}`, i), flags: [], internalDate: new Date(Date.UTC(2024, 2, 1 + i, 9)) })) });
const seed = (tag: string): SeedFolder[] => [folder('INBOX', 6, tag), folder('Work', 3, tag)];

/**
 * After the first pass: the source expunges INBOX messages 2 and 4 and loses its Work folder; a
 * user puts into the destination INBOX a message of their own, an identical copy of source
 * message 2 (the same bytes, not ours), and a message of their own marked \Deleted (which only a
 * bare EXPUNGE would remove).
 */
async function changeBothSides(address: string, tag: string): Promise<void> {
  await withImap(lab, 'source', address, async (c) => {
    await c.mailboxOpen('INBOX');
    await c.messageDelete('2,4', { uid: true });
    await c.mailboxDelete('Work');
  });
  await withImap(lab, 'destination', address, async (c) => {
    await c.append('INBOX', message(`${tag} user's own`, 0), [], new Date(Date.UTC(2024, 5, 1)));
    await c.append('INBOX', message(`${tag} INBOX`, 1), [], new Date(Date.UTC(2024, 2, 2, 9)));
    await c.append('INBOX', message(`${tag} user's deleted`, 0), ['\\Deleted'], new Date(Date.UTC(2024, 5, 2)));
  });
}

/** Source and destination compared message by message: the destination holds the source exactly plus what the user put there (and, without deletions, the expunged copies). */
async function expectDestination(address: string, extraCount: number, why: string): Promise<void> {
  const [src, dst] = await Promise.all([snapshotMailbox(lab, 'source', address), snapshotMailbox(lab, 'destination', address)]);
  const cmp = compareSnapshots(src, dst, { ignoreFolders: ['Work'] });
  expect(cmp.missing, why).toEqual([]);
  expect(cmp.extra.length, `${why}\n${cmp.diffs.join('\n')}`).toBe(extraCount);
  // The user's three messages are all still there.
  const subjects = cmp.extra.map((e) => e.folder);
  expect(subjects.every((f) => f === 'INBOX')).toBe(true);
  expect(dst.folders.Work?.messages.length, 'the copy of a folder deleted at the source stays').toBe(3);
}

const inbox = (m: MailboxReport) => m.folders.find((f) => f.sourcePath === 'INBOX')!;

describe('deletions at cut-over', () => {
  beforeAll(() => {
    lab = getLab();
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
  });

  it('CLI driver, DELETE_AT_CUTOVER=true: the copies of messages expunged at the source are removed through the UID map; the user\'s own messages (an identical copy, one marked \\Deleted) survive; the deleted source folder is reported, its copy kept', async () => {
    const tag = 'delcli';
    const address = await seededPair(lab, tag, seed(tag));
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-delcli-'));
    const first = await runThroughEngine(lab, [address], { stateDir });
    expect(first.report.mailboxes[0]!.state, first.log.join('\n')).toBe('completed');
    await changeBothSides(address, tag);
    const cut = await runThroughEngine(lab, [address], { stateDir, final: true, settings: { DELETE_AT_CUTOVER: 'true' } });
    const m = cut.report.mailboxes[0]!;
    expect(inbox(m).deletedAtCutover, cut.log.join('\n')).toBe(2);
    expect(m.sourceFoldersGone).toEqual([{ sourcePath: 'Work', destinationPath: 'Work' }]);
    expect(m.verification?.result, JSON.stringify(m.verification)).toBe('PASS');
    await expectDestination(address, 3, cut.log.join('\n'));
    expect(await duplicatesAtDestination(lab, address)).toEqual([]);
  });

  it('CLI driver, by default: nothing is removed at cut-over (the expunged copies stay), the deleted source folder is still reported', async () => {
    const tag = 'deloff';
    const address = await seededPair(lab, tag, seed(tag));
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-deloff-'));
    await runThroughEngine(lab, [address], { stateDir });
    await changeBothSides(address, tag);
    const cut = await runThroughEngine(lab, [address], { stateDir, final: true });
    const m = cut.report.mailboxes[0]!;
    expect(inbox(m).deletedAtCutover).toBeUndefined();
    expect(m.sourceFoldersGone).toEqual([{ sourcePath: 'Work', destinationPath: 'Work' }]);
    await expectDestination(address, 5, cut.log.join('\n'));
  });

  it('a destination without UIDPLUS: nothing is removed (a bare EXPUNGE would take the user\'s \\Deleted message), and the report says why', async () => {
    const tag = 'delnouidplus';
    const address = await seededPair(lab, tag, seed(tag));
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-delnoup-'));
    await runThroughEngine(lab, [address], { stateDir });
    await changeBothSides(address, tag);
    const proxy = await FaultProxy.forLab(lab, 'destination');
    try {
      proxy.hideCapabilities(['UIDPLUS']);
      const cut = await runThroughEngine(lab, [address], { stateDir, destination: proxy, final: true, settings: { DELETE_AT_CUTOVER: 'true' } });
      const f = inbox(cut.report.mailboxes[0]!);
      expect(f.deletedAtCutover, cut.log.join('\n')).toBe(0);
      expect(f.deleteSkippedReason).toContain('UIDPLUS');
      expect(proxy.stats().commands['UID EXPUNGE'] ?? 0).toBe(0);
      expect(proxy.stats().commands.EXPUNGE ?? 0).toBe(0);
    } finally {
      await proxy.stop();
    }
    await expectDestination(address, 5, 'nothing removed');
  });

  it('Functions app, per row (DeleteAtCutover column): the cut-over removes exactly the expunged copies and keeps the user\'s messages', async () => {
    const tag = 'delfn';
    const address = await seededPair(lab, tag, seed(tag));
    const final = await cutOverAfter(apps, `Email,DeleteAtCutover\n${address},yes\n`, 'del.csv', () => changeBothSides(address, tag));
    const m = final.mailboxes[0]!;
    expect(inbox(m).deletedAtCutover).toBe(2);
    expect(m.sourceFoldersGone).toEqual([{ sourcePath: 'Work', destinationPath: 'Work' }]);
    expect(m.verification?.result, JSON.stringify(m.verification)).toBe('PASS');
    await expectDestination(address, 3, '');
  });
});
