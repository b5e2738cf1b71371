import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../../shared/contracts/report.js';
import { inWindow } from '../../../shared/domain/controls/date-window.js';
import { getLab, labSettings, type LabInfo } from '../../lab/lab-info.js';
import { makeMessage } from '../../lab/corpus.js';
import type { SeedFolder } from '../../lab/seed.js';
import { compareSnapshots, snapshotMailbox } from '../../lab/snapshot.js';
import { seededPair } from '../../support/lab-mailbox.js';
import { runCli, workDir } from '../../support/run-cli.js';

let lab: LabInfo;

const folder = (path: string, tag: string): SeedFolder => ({
  path,
  messages: Array.from({ length: 4 }, (_, i) => ({ raw: makeMessage({ subject: `${tag} ${path} ${i}`, from: 'a@contoso.example', to: 'b@contoso.example', date: new Date(Date.UTC(2022 + i, 0, 10)), seed: `${tag}${path}${i}` }), flags: [], internalDate: new Date(Date.UTC(2022 + i, 0, 10, 12)) })),
});

describe('mailmig with per-row controls (the built CLI against the lab)', () => {
  beforeAll(() => {
    lab = getLab();
  });

  it('preflight shows the folders left out with their pattern and the date window; migrate copies exactly that and reports it', async () => {
    const address = await seededPair(lab, 'clictl', [folder('INBOX', 'clictl'), folder('Junk Email', 'clictl'), folder('Sync Issues/Conflicts', 'clictl')]);
    const w = workDir(labSettings(lab, { STORAGE_CONNECTION_STRING: '' }), `Email;ExcludeFolders;Since\r\n${address};Junk Email;Sync Issues*;2024-01-01\r\n`.replace('Junk Email;Sync Issues*', '"Junk Email;Sync Issues*"'));
    const pre = await runCli(['preflight', '--csv', w.csvPath, '--settings', w.settingsPath]);
    expect(pre.code, pre.stderr).toBe(0);
    expect(pre.stdout).toContain('folder-filter (source): 3 folder(s) left out: "Junk Email" excluded by pattern "Junk Email"');
    expect(pre.stdout).toContain('"Sync Issues/Conflicts" excluded by pattern "Sync Issues*"');
    expect(pre.stdout).toMatch(/date-window \(source\): date window since 2024-01-01 \(UTC internal date\): 2 message\(s\) in it, 2 outside it not copied/);

    const reportPath = join(w.dir, 'report.json');
    const r = await runCli(['migrate', '--csv', w.csvPath, '--settings', w.settingsPath, '--report', reportPath, '--retry-base-ms', '100']);
    expect(r.code, r.stderr).toBe(0);
    const m = (JSON.parse(readFileSync(reportPath, 'utf8')) as BatchReport).mailboxes[0]!;
    expect(m.dateWindow).toEqual({ since: '2024-01-01' });
    expect((m.excludedFolders ?? []).map((x) => x.sourcePath).sort()).toEqual(['Junk Email', 'Sync Issues', 'Sync Issues/Conflicts']);
    expect(readFileSync(reportPath.replace(/\.json$/, '.csv'), 'utf8')).toContain('excluded by pattern');
    const [src, dst] = await Promise.all([snapshotMailbox(lab, 'source', address), snapshotMailbox(lab, 'destination', address)]);
    const kept = { ...src, folders: { INBOX: { ...src.folders.INBOX!, messages: src.folders.INBOX!.messages.filter((x) => inWindow({ since: '2024-01-01' }, x.internalDate)) } } };
    expect(compareSnapshots(kept, dst).diffs).toEqual([]);
    expect(Object.values(dst.folders).reduce((n, f) => n + f.messages.length, 0)).toBe(2);
  });

  it('a bad control cell: exit 2, the line and the column named, nothing started', async () => {
    const w = workDir(labSettings(lab, { STORAGE_CONNECTION_STRING: '' }), 'Email,Since,ExcludeFolders\nok@contoso.example,2024-01-01,\nbad@contoso.example,2024-13-01,\\Spam\n');
    const r = await runCli(['migrate', '--csv', w.csvPath, '--settings', w.settingsPath]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nothing was started');
    expect(r.stderr).toMatch(/line 3, field Since/);
    expect(r.stderr).toMatch(/line 3, field ExcludeFolders/);
    expect(readdirSync(w.dir)).not.toContain('state');
  });
});
