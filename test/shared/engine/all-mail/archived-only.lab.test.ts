import { mkdtempSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getLab, labSettings } from '../../../lab/lab-info.js';
import { runCli, workDir } from '../../../support/run-cli.js';
import { appUnderTest, blobContext, descendants } from '../../../support/durable-app/app-under-test.js';
import { labServiceAccount, googleSourceSettings } from '../../../support/google-account.js';
import { findLeaks } from '../../../support/secrets-scan.js';
import { entraControl } from '../../../lab/control.js';
import { reportPaths } from '../../../../shared/engine/batch-ids.js';
import type { BatchReport } from '../../../../shared/contracts/report.js';
import { blobHandler } from '../../../../functions/lib/blob-handler.js';
import { makeMessage } from '../../../lab/corpus.js';
import type { SeedFolder, SeedMessage } from '../../../lab/seed.js';
import { compareSnapshots, expectedSnapshot, snapshotMailbox } from '../../../lab/snapshot.js';
import { runThroughEngine } from '../../../support/engine-run.js';
import { FaultProxy } from '../../../lab/fault-proxy.js';
import { seededPair } from '../../../support/lab-mailbox.js';

// A source in Gmail's folder model, played by Dovecot: labels are folders, `[Gmail]/All Mail`
// (\All) holds every message once more, `[Gmail]/Starred` (\Flagged) and `[Gmail]/Important`
// (\Important) are views. Dovecot has no X-GM-EXT-1, so this proves the fingerprint path: a
// message of All Mail filed in no label is archived-only. Unlike Gmail's, this `[Gmail]` is an
// ordinary, empty folder (Dovecot lists a parent that does not exist without \Noselect, and then
// refuses to open it), so it is copied as one.

const lab = getLab();

function message(n: number, flags: string[] = [], opts: { messageId?: string; body?: string } = {}): SeedMessage {
  const raw = makeMessage({
    subject: `Gmail message ${n}`,
    from: 'sender@example.org',
    to: 'owner@contoso.example',
    date: new Date(Date.UTC(2024, 0, 1 + n, 9)),
    seed: `gmail-${n}`,
    ...(opts.messageId === undefined ? {} : { messageId: opts.messageId }),
    ...(opts.body === undefined ? {} : { body: opts.body }),
  });
  return { raw, flags, internalDate: new Date(Date.UTC(2024, 0, 1 + n, 9, 30)) };
}

/** Gmail's folders with labelled, nested, multi-label, sent, archived, starred and important mail; and what the destination must hold. */
function gmailMailbox(): { source: SeedFolder[]; destination: SeedFolder[] } {
    const inbox = message(1, ['\\Seen']);
    const inboxStarred = message(2, ['\\Flagged']);
    const work = message(3, ['\\Seen']);
    const client = message(4);
    const twoLabels = message(5, ['\\Seen', '$label1']);
    const sent = message(6, ['\\Seen']);
    const archived = message(7, ['\\Seen']);
    const archivedStarred = message(8, ['\\Seen', '\\Flagged']);
    const archivedImportant = message(9);
    // Same Message-ID as `work`, other bytes: a different message, so archived-only too.
    const workId = /^Message-ID: (.*)$/im.exec(work.raw.toString())![1]!.trim();
    const archivedTwin = message(10, ['\\Seen'], { messageId: workId, body: 'another message with the same id' });
    const allMail = [inbox, inboxStarred, work, client, twoLabels, sent, archived, archivedStarred, archivedImportant, archivedTwin];
    const source: SeedFolder[] = [
      { path: 'INBOX', messages: [inbox, inboxStarred] },
      { path: 'Work', messages: [work, twoLabels] },
      { path: 'Work/Clients', messages: [client] },
      { path: 'Receipts', messages: [twoLabels] },
      { path: 'Sent Items', specialUse: '\\Sent', messages: [sent] },
      { path: '[Gmail]/All Mail', specialUse: '\\All', messages: allMail },
      { path: '[Gmail]/Starred', specialUse: '\\Flagged', messages: [inboxStarred, archivedStarred] },
      { path: '[Gmail]/Important', specialUse: '\\Important', messages: [work, archivedImportant] },
    ];
    const destination: SeedFolder[] = [
      { path: 'INBOX', messages: [inbox, inboxStarred] },
      { path: 'Work', messages: [work, twoLabels] },
      { path: 'Work/Clients', messages: [client] },
      { path: 'Receipts', messages: [twoLabels] },
      { path: 'Sent', messages: [sent] },
      { path: 'Archive (2)', messages: [archived, archivedStarred, archivedImportant, archivedTwin] },
    ];
    return { source, destination };
}

describe("a Gmail source's All Mail", () => {
  it('labels become folders, messages filed only in All Mail land once in Archive, the starred and important views are not copied', async () => {
    const { source, destination } = gmailMailbox();
    const box = await seededPair(lab, 'gmail', source);
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-gmail-'));
    const run = await runThroughEngine(lab, [box], { stateDir, settings: { RANGE_MAX_MESSAGES: '3' } });
    expect(run.report.mailboxes[0]?.state, run.log.join('\n')).toBe('completed');
    const allMailReport = run.report.mailboxes[0]!.folders.find((f) => f.sourcePath === '[Gmail]/All Mail');
    // The lab's source always has an (empty) \Archive folder of its own, which takes "Archive";
    // a real Gmail mailbox has none, so there All Mail's archived mail lands in "Archive" itself.
    expect(allMailReport).toMatchObject({ destinationPath: 'Archive (2)', messagesAtSource: 10, copied: 4 });
    // The report says so as a field of the mailbox and of the batch, not only as a folder row.
    expect(run.report.mailboxes[0]?.archivedOnly).toEqual({ sourcePath: '[Gmail]/All Mail', destinationPath: 'Archive (2)', copiedThisPass: 4, total: 4 });
    expect(run.report.totals.archivedOnly).toEqual({ mailboxes: 1, copiedThisPass: 4, total: 4 });

    const expected = expectedSnapshot('destination', box, destination);
    const actual = await snapshotMailbox(lab, 'destination', box);
    const cmp = compareSnapshots(expected, actual, { ignoreFolders: ['Drafts', 'Trash', 'Junk', 'Archive'] });
    expect(cmp.diffs).toEqual([]);
    // Nothing went to the role folders left empty, and no view or container became a folder.
    for (const empty of ['Drafts', 'Trash', 'Junk', 'Archive']) expect(actual.folders[empty]?.messages ?? []).toEqual([]);
    expect(Object.keys(actual.folders).filter((p) => /Gmail|Starred|Important|All Mail/.test(p))).toEqual(['[Gmail]']);
    expect(actual.folders['[Gmail]']?.messages).toEqual([]);

    // A second pass copies nothing again: All Mail is unchanged, and no message appears twice.
    // It is the delta's unchanged shortcut (STATUS only, no destination LIST): the views, which
    // have no ledger entry, do not count as a change.
    const destinationProxy = await FaultProxy.forLab(lab, 'destination');
    const again = await runThroughEngine(lab, [box], { stateDir, destination: destinationProxy }).finally(() => destinationProxy.stop());
    expect(again.report.mailboxes[0]?.totals.copiedThisPass).toBe(0);
    expect(destinationProxy.commands.filter((c) => c.name === 'LIST' || c.name === 'APPEND')).toEqual([]);
    expect(again.report.mailboxes[0]?.archivedOnly).toMatchObject({ copiedThisPass: 0, total: 4 });
    expect(compareSnapshots(expected, await snapshotMailbox(lab, 'destination', box), { ignoreFolders: ['Drafts', 'Trash', 'Junk', 'Archive'] }).diffs).toEqual([]);
  });

  it('through the CLI: migrate copies it exactly and verify compares All Mail by its archived-only part: PASS', async () => {
    const { source, destination } = gmailMailbox();
    const box = await seededPair(lab, 'gmail-cli', source);
    const work = workDir(labSettings(lab, { STORAGE_CONNECTION_STRING: '' }), `Email\r\n${box}\r\n`);
    const reportPath = join(work.dir, 'report.json');
    const migrate = await runCli(['migrate', '--csv', work.csvPath, '--settings', work.settingsPath, '--retry-base-ms', '50', '--report', reportPath]);
    expect(migrate.code, migrate.stdout + migrate.stderr).toBe(0);
    expect(migrate.stdout).toContain('Archived-only messages (All Mail, no other folder): 4 copied to the archive folder this pass, 4 there in all (1 mailboxes).');
    const csv = parse(readFileSync(join(work.dir, 'report.csv'), 'utf8'), { bom: true }) as string[][];
    const allMailRow = csv.find((r) => r[3] === '[Gmail]/All Mail')!;
    expect([allMailRow[csv[0]!.indexOf('ArchivedOnlyCopiedThisPass')], allMailRow[csv[0]!.indexOf('ArchivedOnlyTotal')]]).toEqual(['4', '4']);
    expect(readFileSync(join(work.dir, 'report.html'), 'utf8')).toContain('<td>4 / 4 / not yet (cut-over)<br>into <code>Archive (2)</code></td>');
    const cmp = compareSnapshots(expectedSnapshot('destination', box, destination), await snapshotMailbox(lab, 'destination', box), { ignoreFolders: ['Drafts', 'Trash', 'Junk', 'Archive'] });
    expect(cmp.diffs).toEqual([]);
    const verify = await runCli(['verify', '--csv', work.csvPath, '--settings', work.settingsPath]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toContain('1 PASS, 0 FAIL');
  }, 120_000);

  it('through the Durable app, signed in as a Google Workspace service account: All Mail\'s archived-only messages copied exactly; no key, assertion or token in any orchestration\'s output, status or the report', async () => {
    const { source, destination } = gmailMailbox();
    const box = await seededPair(lab, 'gmail-app', source);
    const account = await labServiceAccount(lab, [box]);
    const app = appUnderTest({ RANGE_MAX_MESSAGES: '3', ...googleSourceSettings(account.secretName) }, undefined, { autoCutover: true });
    try {
      const csv = Buffer.from(`Email\n${box}\n`);
      await app.blobs.put('migrations', 'incoming/gmail.csv', csv, 'text/csv');
      const started = await blobHandler(app.deps)(csv, blobContext('gmail.csv'));
      const id = (started as { batchId: string }).batchId;
      const run = await app.client.settled(id);
      expect(run.status, run.error).toBe('Completed');
      expect((await entraControl.googleStats(lab)).issued[box.toLowerCase()]).toBeGreaterThanOrEqual(1);
      const report = (await app.blobs.get('reports', reportPaths.batchJson(id)))!.toString('utf8');
      // Cut-over (autoCutover): the archived-only count is verified message by message.
      const parsed = JSON.parse(report) as BatchReport;
      expect(parsed.mailboxes.at(-1)?.archivedOnly).toMatchObject({ destinationPath: 'Archive (2)', total: 4, verified: { atSource: 4, inArchive: 4, result: 'PASS' } });
      expect(parsed.totals.archivedOnly).toMatchObject({ mailboxes: 1, total: 4, verifiedAtSource: 4, verifiedInArchive: 4 });
      const texts: Record<string, string> = { output: JSON.stringify(run.output), status: JSON.stringify(run.customStatus), report };
      descendants(app.host, id).forEach((c, i) => (texts[`child${i}`] = JSON.stringify([c?.output, c?.customStatus])));
      expect(findLeaks(lab, texts)).toEqual([]);
      for (const [where, text] of Object.entries(texts)) expect(text.includes(account.keyLine), where).toBe(false);
    } finally {
      await app.close();
    }
    const cmp = compareSnapshots(expectedSnapshot('destination', box, destination), await snapshotMailbox(lab, 'destination', box), { ignoreFolders: ['Drafts', 'Trash', 'Junk', 'Archive'] });
    expect(cmp.diffs).toEqual([]);
  }, 120_000);
});
