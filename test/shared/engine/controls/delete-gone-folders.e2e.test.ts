import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GoneFolderReport, MailboxReport } from '../../../../shared/contracts/report.js';
import { renderReportCsv } from '../../../../shared/domain/reports/report-csv.js';
import { renderReportHtml } from '../../../../shared/domain/reports/report-html.js';
import { getLab, type LabInfo } from '../../../lab/lab-info.js';
import { makeMessage } from '../../../lab/corpus.js';
import { withImap } from '../../../lab/imap.js';
import type { SeedFolder } from '../../../lab/seed.js';
import { compareSnapshots, snapshotMailbox } from '../../../lab/snapshot.js';
import { runThroughEngine } from '../../../support/engine-run.js';
import { FaultProxy } from '../../../lab/fault-proxy.js';
import { seededPair } from '../../../support/lab-mailbox.js';
import type { AppUnderTest } from '../../../support/durable-app/app-under-test.js';
import { cutOverAfter } from '../../../support/durable-app/staged-batch.js';

let lab: LabInfo;
const apps: AppUnderTest[] = [];

const message = (tag: string, i: number) => makeMessage({ subject: `${tag} ${i}`, from: 'a@contoso.example', to: 'b@contoso.example', date: new Date(Date.UTC(2024, 2, 1 + i)), seed: `${tag}${i}` });
const folder = (path: string, n: number, tag: string): SeedFolder => ({ path, messages: Array.from({ length: n }, (_, i) => ({ raw: message(`${tag} ${path}`, i), flags: [], internalDate: new Date(Date.UTC(2024, 2, 1 + i, 9)) })) });
const seed = (tag: string): SeedFolder[] => [folder('INBOX', 3, tag), folder('Work', 3, tag), folder('Keep', 2, tag), folder('Old', 2, tag), folder('Parent', 1, tag), folder('Parent/Child', 2, tag)];
const GONE = ['Keep', 'Old', 'Parent', 'Parent/Child', 'Work'];

/**
 * After the first pass the source loses every folder but INBOX; at the destination a user puts a
 * message of their own into Keep (the same subject as ours, other bytes) and creates a subfolder
 * Old/Mine of their own.
 */
async function changeBothSides(address: string, tag: string): Promise<void> {
  await withImap(lab, 'source', address, async (c) => {
    for (const p of ['Work', 'Keep', 'Old', 'Parent/Child', 'Parent']) await c.mailboxDelete(p);
  });
  await withImap(lab, 'destination', address, async (c) => {
    await c.append('Keep', message(`${tag} user's own`, 0), ['\\Seen'], new Date(Date.UTC(2024, 5, 1)));
    await c.mailboxCreate('Old/Mine');
  });
}

const gone = (m: MailboxReport): Record<string, GoneFolderReport> => Object.fromEntries((m.sourceFoldersGone ?? []).map((g) => [g.sourcePath, g]));

/**
 * Destination against source message by message (sha256, flags, internal date): INBOX the same,
 * the copies of the gone folders removed, the user's message in Keep and the user's Old/Mine the
 * only things left of them.
 */
async function expectGoneFoldersCleaned(address: string, why: string): Promise<void> {
  const [src, dst] = await Promise.all([snapshotMailbox(lab, 'source', address), snapshotMailbox(lab, 'destination', address)]);
  expect(Object.keys(dst.folders).filter((p) => GONE.includes(p) || p.startsWith('Old/')).sort(), why).toEqual(['Keep', 'Old', 'Old/Mine']);
  const cmp = compareSnapshots(src, dst);
  expect(cmp.missing, why).toEqual([]);
  expect(cmp.extra.map((e) => e.folder), `${why}\n${cmp.diffs.join('\n')}`).toEqual(['Keep']);
  expect(cmp.extra[0]!.message.flags).toEqual(['\\Seen']);
  expect(dst.folders.Old!.messages).toEqual([]);
}

describe('deleting at cut-over the folders gone at the source', () => {
  beforeAll(() => {
    lab = getLab();
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
  });

  it('CLI driver, DELETE_GONE_FOLDERS_AT_CUTOVER=true: our copies are removed, folders left empty are deleted (subfolder first), a folder with a user\'s message or subfolder is kept and the report says why', async () => {
    const tag = 'gonecli';
    const address = await seededPair(lab, tag, seed(tag));
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-gonecli-'));
    const first = await runThroughEngine(lab, [address], { stateDir });
    expect(first.report.mailboxes[0]!.state, first.log.join('\n')).toBe('completed');
    await changeBothSides(address, tag);
    const cut = await runThroughEngine(lab, [address], { stateDir, final: true, settings: { DELETE_GONE_FOLDERS_AT_CUTOVER: 'true' } });
    const m = cut.report.mailboxes[0]!;
    const g = gone(m);
    expect(Object.keys(g).sort(), cut.log.join('\n')).toEqual(GONE);
    expect(g.Work).toEqual({ sourcePath: 'Work', destinationPath: 'Work', removedAtCutover: 3, folderDeleted: true });
    expect(g['Parent/Child']).toMatchObject({ removedAtCutover: 2, folderDeleted: true });
    expect(g.Parent).toMatchObject({ removedAtCutover: 1, folderDeleted: true });
    expect(g.Keep).toMatchObject({ removedAtCutover: 2, folderDeleted: false, keptBecause: '1 message(s) the migration did not copy remain in it' });
    expect(g.Old).toMatchObject({ removedAtCutover: 2, folderDeleted: false, keptBecause: 'it has subfolders' });
    expect(m.verification?.result, JSON.stringify(m.verification)).toBe('PASS');
    await expectGoneFoldersCleaned(address, cut.log.join('\n'));
    const csv = renderReportCsv(cut.report);
    expect(csv).toContain(',gone-at-source,');
    expect(csv).toContain('its copy Keep is kept: 1 message(s) the migration did not copy remain in it');
    expect(csv).toContain('its copy Work was deleted at the destination');
  });

  it('CLI driver, by default: nothing of the gone folders is touched, and they are reported as before', async () => {
    const tag = 'gonedef';
    const address = await seededPair(lab, tag, seed(tag));
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-gonedef-'));
    await runThroughEngine(lab, [address], { stateDir });
    await changeBothSides(address, tag);
    const cut = await runThroughEngine(lab, [address], { stateDir, final: true });
    const m = cut.report.mailboxes[0]!;
    expect(m.sourceFoldersGone!.map((x) => x).sort((a, b) => a.sourcePath.localeCompare(b.sourcePath))).toEqual(GONE.map((p) => ({ sourcePath: p, destinationPath: p })));
    const dst = await snapshotMailbox(lab, 'destination', address);
    expect(Object.fromEntries(GONE.map((p) => [p, dst.folders[p]?.messages.length]))).toEqual({ Keep: 3, Old: 2, Parent: 1, 'Parent/Child': 2, Work: 3 });
  });

  it('a destination without UIDPLUS: nothing is removed and no folder deleted, and the report says why', async () => {
    const tag = 'gonenoup';
    const address = await seededPair(lab, tag, seed(tag));
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-gonenoup-'));
    await runThroughEngine(lab, [address], { stateDir });
    await changeBothSides(address, tag);
    const proxy = await FaultProxy.forLab(lab, 'destination');
    try {
      proxy.hideCapabilities(['UIDPLUS']);
      const cut = await runThroughEngine(lab, [address], { stateDir, destination: proxy, final: true, settings: { DELETE_GONE_FOLDERS_AT_CUTOVER: 'true' } });
      const g = gone(cut.report.mailboxes[0]!);
      expect(g.Work, cut.log.join('\n')).toMatchObject({ removedAtCutover: 0, folderDeleted: false });
      expect(g.Work!.keptBecause).toContain('UIDPLUS');
      expect(proxy.stats().commands['UID EXPUNGE'] ?? 0).toBe(0);
      expect(proxy.stats().commands.EXPUNGE ?? 0).toBe(0);
      expect(proxy.stats().commands.DELETE ?? 0).toBe(0);
    } finally {
      await proxy.stop();
    }
    const dst = await snapshotMailbox(lab, 'destination', address);
    expect(dst.folders.Work?.messages.length).toBe(3);
  });

  it('Functions app, per row (DeleteGoneFoldersAtCutover column): the cut-over deletes what we copied of the gone folders and keeps the user\'s', async () => {
    const tag = 'gonefn';
    const address = await seededPair(lab, tag, seed(tag));
    const final = await cutOverAfter(apps, `Email,DeleteGoneFoldersAtCutover\n${address},yes\n`, 'gone.csv', () => changeBothSides(address, tag));
    const m = final.mailboxes[0]!;
    const g = gone(m);
    expect(g.Work).toMatchObject({ removedAtCutover: 3, folderDeleted: true });
    expect(g.Keep).toMatchObject({ removedAtCutover: 2, folderDeleted: false, keptBecause: '1 message(s) the migration did not copy remain in it' });
    expect(g.Old).toMatchObject({ folderDeleted: false, keptBecause: 'it has subfolders' });
    expect(m.verification?.result, JSON.stringify(m.verification)).toBe('PASS');
    await expectGoneFoldersCleaned(address, '');
    expect(renderReportHtml(final)).toContain('folder Work no longer exists at the source; 3 copied message(s) removed at the destination; its copy Work was deleted at the destination');
  });
});
