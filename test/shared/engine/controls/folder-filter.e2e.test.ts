import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport, MailboxReport } from '../../../../shared/contracts/report.js';
import { blobHandler } from '../../../../functions/lib/blob-handler.js';
import { getLab, type LabInfo } from '../../../lab/lab-info.js';
import { makeMessage } from '../../../lab/corpus.js';
import type { SeedFolder } from '../../../lab/seed.js';
import { compareSnapshots, snapshotMailbox, type MailboxSnapshot } from '../../../lab/snapshot.js';
import { runThroughEngine } from '../../../support/engine-run.js';
import { seededPair } from '../../../support/lab-mailbox.js';
import { appUnderTest, blobContext, type AppUnderTest } from '../../../support/durable-app/app-under-test.js';

let lab: LabInfo;
const apps: AppUnderTest[] = [];

const folder = (path: string, n: number): SeedFolder => ({
  path,
  messages: Array.from({ length: n }, (_, i) => ({ raw: makeMessage({ subject: `${path} ${i}`, from: 'a@contoso.example', to: 'b@contoso.example', date: new Date(Date.UTC(2024, 0, 1 + i)), seed: `${path}${i}` }), flags: i === 0 ? ['\\Seen'] : [], internalDate: new Date(Date.UTC(2024, 0, 1 + i, 12)) })),
});
const seed = (): SeedFolder[] => [folder('INBOX', 3), folder('Junk Email', 2), folder('Deleted Items', 2), folder('Deleted Items/Old', 1), folder('Sync Issues', 1), folder('Sync Issues/Conflicts', 1), folder('Projects/Alpha', 2), folder('Projects/Beta', 2)];

const total = (s: MailboxSnapshot): number => Object.values(s.folders).reduce((n, f) => n + f.messages.length, 0);

/** The destination holds exactly the kept folders of the source, message by message, and nothing of the rest. */
async function expectOnly(address: string, left: string[], why: string): Promise<void> {
  const [src, dst] = await Promise.all([snapshotMailbox(lab, 'source', address), snapshotMailbox(lab, 'destination', address)]);
  const kept = Object.fromEntries(Object.entries(src.folders).filter(([p]) => !left.includes(p)));
  expect(compareSnapshots({ ...src, folders: kept }, dst).diffs, why).toEqual([]);
  // Every destination message is one of the kept folders' (the comparison above ignores nothing).
  expect(total(dst), why).toBe(total({ ...src, folders: kept }));
}

const excludedOf = (m: MailboxReport): string[] => (m.excludedFolders ?? []).map((x) => `${x.sourcePath} <- ${x.rule} ${x.pattern}`).sort();

describe('folder include/exclude in both drivers', () => {
  beforeAll(() => {
    lab = getLab();
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
  });

  it('CLI driver, per batch (EXCLUDE_FOLDERS): the excluded folders and their subfolders are not copied, the report names each with its pattern, a delta finds nothing changed, the cut-over verifies PASS', async () => {
    const address = await seededPair(lab, 'fexcl', seed());
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-fexcl-'));
    const settings = { EXCLUDE_FOLDERS: 'Junk Email; deleted items ;Sync Issues*' };
    const first = await runThroughEngine(lab, [address], { stateDir, settings });
    const why = first.log.join('\n');
    const m = first.report.mailboxes[0]!;
    expect(m.state, why).toBe('completed');
    expect(excludedOf(m)).toEqual([
      'Deleted Items <- exclude deleted items',
      'Deleted Items/Old <- exclude deleted items',
      'Junk Email <- exclude Junk Email',
      'Sync Issues <- exclude Sync Issues*',
      'Sync Issues/Conflicts <- exclude Sync Issues*',
    ]);
    // The source's auto-created role folders (Sent Items, Drafts, Archive) are copied too; none of the excluded ones is.
    expect(m.folders.map((f) => f.sourcePath)).toEqual(expect.arrayContaining(['INBOX', 'Projects', 'Projects/Alpha', 'Projects/Beta']));
    expect(m.folders.map((f) => f.sourcePath).filter((p) => /Junk|Deleted|Sync/.test(p))).toEqual([]);
    await expectOnly(address, ['Junk Email', 'Deleted Items', 'Deleted Items/Old', 'Sync Issues', 'Sync Issues/Conflicts'], why);

    const delta = await runThroughEngine(lab, [address], { stateDir, settings });
    expect(delta.report.mailboxes[0]!.folders.every((f) => f.state === 'unchanged'), delta.log.join('\n')).toBe(true);
    expect(excludedOf(delta.report.mailboxes[0]!)).toHaveLength(5);

    const cut = await runThroughEngine(lab, [address], { stateDir, settings, final: true });
    expect(cut.report.mailboxes[0]!.verification?.result, JSON.stringify(cut.report.mailboxes[0]!.verification)).toBe('PASS');
    await expectOnly(address, ['Junk Email', 'Deleted Items', 'Deleted Items/Old', 'Sync Issues', 'Sync Issues/Conflicts'], cut.log.join('\n'));
  });

  it('CLI driver, per row: a row\'s IncludeFolders copies only the named folders and their subfolders', async () => {
    const address = await seededPair(lab, 'fincl', seed());
    const run = await runThroughEngine(lab, [address], { controls: { includeFolders: ['projects'] } });
    expect(run.report.mailboxes[0]!.folders.map((f) => f.sourcePath).sort(), run.log.join('\n')).toEqual(['Projects', 'Projects/Alpha', 'Projects/Beta']);
    expect(excludedOf(run.report.mailboxes[0]!)).toContain('INBOX <- include projects');
    await expectOnly(address, ['INBOX', 'Junk Email', 'Deleted Items', 'Deleted Items/Old', 'Sync Issues', 'Sync Issues/Conflicts'], run.log.join('\n'));
  });

  it('Functions app, per row (IncludeFolders column) over per batch (EXCLUDE_FOLDERS): both apply, the cut-over verifies PASS and the report names the left-out folders', async () => {
    const address = await seededPair(lab, 'fdurable', seed());
    const app = appUnderTest({ EXCLUDE_FOLDERS: 'Projects/Beta' }, undefined, { autoCutover: true });
    apps.push(app);
    const csv = Buffer.from(`Email,IncludeFolders\n${address},"INBOX;Projects"\n`);
    await app.blobs.put('migrations', 'incoming/filter.csv', csv, 'text/csv');
    const id = ((await blobHandler(app.deps)(csv, blobContext('filter.csv'))) as { batchId: string }).batchId;
    const run = await app.client.settled(id);
    expect(run.status, run.error).toBe('Completed');
    const report = JSON.parse((await app.blobs.get('reports', `${id}/report.json`))!.toString('utf8')) as BatchReport;
    const m = report.mailboxes[0]!;
    expect(m.verification?.result, JSON.stringify(m.verification)).toBe('PASS');
    expect(m.folders.map((f) => f.sourcePath).sort()).toEqual(['INBOX', 'Projects', 'Projects/Alpha']);
    expect(excludedOf(m)).toContain('Projects/Beta <- exclude Projects/Beta');
    expect(excludedOf(m)).toContain('Junk Email <- include INBOX; Projects');
    await expectOnly(address, ['Junk Email', 'Deleted Items', 'Deleted Items/Old', 'Sync Issues', 'Sync Issues/Conflicts', 'Projects/Beta'], run.error ?? '');
  });
});
