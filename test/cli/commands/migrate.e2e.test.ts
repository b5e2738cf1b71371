import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../../shared/contracts/report.js';
import { getLab, labSettings, type LabInfo } from '../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../lab/mailboxes.js';
import { seedMailbox } from '../../lab/seed.js';
import { compareSnapshots, snapshotMailbox } from '../../lab/snapshot.js';
import { EXCHANGE_TO_STANDARD_FOLDERS, standardCorpus } from '../../lab/corpus.js';
import { runCli, workDir } from '../../support/run-cli.js';
import { findLeaks } from '../../support/secrets-scan.js';

let lab: LabInfo;
const mailboxes: string[] = [];
let work: ReturnType<typeof workDir>;
const outputs: Record<string, string> = {};

function readAll(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[p] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

async function expectExactCopy(address: string): Promise<void> {
  const src = await snapshotMailbox(lab, 'source', address);
  const dst = await snapshotMailbox(lab, 'destination', address);
  const cmp = compareSnapshots(src, dst, { folderMap: EXCHANGE_TO_STANDARD_FOLDERS });
  // The one message over the destination's limit is the only difference, and it is missing (not altered).
  expect(cmp.extra).toEqual([]);
  expect(cmp.missing.length).toBe(1);
  expect(cmp.missing[0]!.folder).toBe('INBOX');
  expect(cmp.missing[0]!.message.size).toBeGreaterThan(lab.imap.destination.maxMailSizeBytes ?? 0);
  expect(cmp.diffs.filter((d) => !d.includes('missing'))).toEqual([]);
}

describe('mailmig migrate, end to end against the lab', () => {
  beforeAll(async () => {
    lab = getLab();
    for (let i = 0; i < 3; i++) {
      const a = uniqueAddress(`e2e${i}`);
      mailboxes.push(a);
      await addMailbox(lab, 'source', a);
      await addMailbox(lab, 'destination', a);
    }
    for (const a of mailboxes) await seedMailbox(lab, 'source', a, standardCorpus());
    const settings = labSettings(lab, { STORAGE_CONNECTION_STRING: '' });
    work = workDir(settings, `Email\r\n${mailboxes.join('\r\n')}\r\n`);
  }, 120_000);

  it('migrate: 3 mailboxes over XOAUTH2 are copied message by message (hash, flags, internal date); the oversized one is reported', async () => {
    const r = await runCli(['migrate', '--csv', work.csvPath, '--settings', work.settingsPath, '--retry-base-ms', '200']);
    outputs.first = r.stdout + r.stderr;
    expect(r.code, r.stderr).toBe(0);
    for (const a of mailboxes) await expectExactCopy(a);
    const reportPath = /Report: (.+\.json)/.exec(r.stdout)![1]!;
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as BatchReport;
    expect(report.mailboxes.map((m) => m.state)).toEqual(['completed-with-issues', 'completed-with-issues', 'completed-with-issues']);
    for (const m of report.mailboxes) {
      const inbox = m.folders.find((f) => f.sourcePath === 'INBOX')!;
      expect(inbox.skippedCount).toBe(1);
      expect(inbox.skipped[0]!.code).toBe('MESSAGE_TOO_LARGE');
      expect(inbox.skipped[0]!.size).toBeGreaterThan(2 * 1024 * 1024);
      expect(m.totals.copied).toBe(standardCorpus().reduce((n, f) => n + f.messages.length, 0) - 1);
      expect(m.totals.failed).toBe(0);
    }
    expect(r.stdout).toContain('issues ');
  });

  it('migrate again: copies nothing, creates no duplicate, every folder unchanged', async () => {
    const before = await Promise.all(mailboxes.map((a) => snapshotMailbox(lab, 'destination', a)));
    const r = await runCli(['migrate', '--csv', work.csvPath, '--settings', work.settingsPath]);
    outputs.second = r.stdout + r.stderr;
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(/Report: (.+\.json)/.exec(r.stdout)![1]!, 'utf8')) as BatchReport;
    for (const m of report.mailboxes) {
      expect(m.totals.copiedThisPass).toBe(0);
      expect(m.folders.every((f) => f.state === 'unchanged')).toBe(true);
    }
    const after = await Promise.all(mailboxes.map((a) => snapshotMailbox(lab, 'destination', a)));
    after.forEach((s, i) => expect(compareSnapshots(before[i]!, s).diffs).toEqual([]));
  });

  it('no token, secret or private key appears in any output, report or state file', () => {
    const leaks = findLeaks(lab, { ...outputs, ...readAll(join(work.dir, 'state')) });
    expect(leaks).toEqual([]);
    expect(Object.keys(outputs).length).toBe(2);
  });
});
