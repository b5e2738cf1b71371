import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BatchReport } from '../../../shared/contracts/report.js';
import { getLab, labSettings } from '../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../lab/mailboxes.js';
import { seedMailbox } from '../../lab/seed.js';
import { compareSnapshots, snapshotMailbox } from '../../lab/snapshot.js';
import { bulkCorpus } from '../../lab/corpus.js';
import { runCli, workDir } from '../../support/run-cli.js';

describe('mailmig migrate with one mailbox that cannot be opened', () => {
  it('exit 1; the failed mailbox is reported with its cause; the others are copied in full', async () => {
    const lab = getLab();
    const ok = uniqueAddress('okbox');
    const denied = uniqueAddress('nogrant');
    await addMailbox(lab, 'source', ok);
    await addMailbox(lab, 'destination', ok);
    await addMailbox(lab, 'source', denied); // no grant at the destination
    await seedMailbox(lab, 'source', ok, bulkCorpus(12, { folders: 2, seed: 'okbox' }));
    await seedMailbox(lab, 'source', denied, bulkCorpus(3, { folders: 1, seed: 'nogrant' }));
    const w = workDir(labSettings(lab, { STORAGE_CONNECTION_STRING: '' }), `Email\n${denied}\n${ok}\n`);
    const r = await runCli(['migrate', '--csv', w.csvPath, '--settings', w.settingsPath, '--retry-base-ms', '50']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`FAILED\\s+${denied.replace(/[.]/g, '\\.')}.*IMAP_AUTH_FAILED`));
    const report = JSON.parse(readFileSync(/Report: (\S+\.json)/.exec(r.stdout)![1]!, 'utf8')) as BatchReport;
    expect(report.totals).toMatchObject({ mailboxes: 2, failed: 1, completed: 1 });
    expect(compareSnapshots(await snapshotMailbox(lab, 'source', ok), await snapshotMailbox(lab, 'destination', ok)).diffs).toEqual([]);
  });
});
