import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BatchReport } from '../../../shared/contracts/report.js';
import { getLab, labSettings } from '../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../lab/mailboxes.js';
import { seedMailbox } from '../../lab/seed.js';
import { compareSnapshots, snapshotMailbox } from '../../lab/snapshot.js';
import { bulkCorpus } from '../../lab/corpus.js';
import { startCli, workDir } from '../../support/run-cli.js';

describe('two mailmig migrate runs at once on one CSV and STATE_DIR', () => {
  it('each mailbox pair is copied by one run only: no duplicate, and a refused pair names the run holding it', async () => {
    const lab = getLab();
    const mailboxes = [0, 1, 2, 3].map((i) => uniqueAddress(`tworuns${i}`));
    for (const [i, a] of mailboxes.entries()) {
      await addMailbox(lab, 'source', a);
      await addMailbox(lab, 'destination', a);
      await seedMailbox(lab, 'source', a, bulkCorpus(400, { folders: 2, bodyBytes: 2048, seed: `tworuns-${i}` }));
    }
    const w = workDir(labSettings(lab, { STORAGE_CONNECTION_STRING: '', RANGE_MAX_MESSAGES: '50' }), `Email\n${mailboxes.join('\n')}\n`);
    // Each run writes its own report: the same default path would be written by both.
    const run = (n: number): ReturnType<typeof startCli> => startCli(['migrate', '--csv', w.csvPath, '--settings', w.settingsPath, '--concurrency', '4', '--retry-base-ms', '200', '--report', `${w.dir}/report-${n}.json`]);
    const [a, b] = await Promise.all([run(1).done, run(2).done]);
    const reports = [1, 2].map((n) => JSON.parse(readFileSync(`${w.dir}/report-${n}.json`, 'utf8')) as BatchReport);

    let refused = 0;
    for (const [i, r] of [a, b].entries()) {
      const leased = reports[i]!.mailboxes.filter((m) => m.error?.code === 'MAILBOX_LEASED');
      refused += leased.length;
      // A clear outcome: 0 when it did everything, 1 when a pair was refused, and then it says by whom.
      expect(r.code, r.stderr).toBe(leased.length > 0 ? 1 : 0);
      for (const m of leased) {
        expect(m.error!.message).toMatch(/held by another mailmig run \(host .+, pid \d+, since \d{4}-/);
        const line = r.stderr.split('\n').find((l) => l.includes(`${m.sourceEmail} -> ${m.destinationEmail}:`));
        expect(line).toMatch(/^FAILED .*: MAILBOX_LEASED held by another mailmig run \(host .+, pid \d+, since .+\); not copied beside it/);
      }
      expect(reports[i]!.mailboxes.filter((m) => m.state === 'failed' && m.error?.code !== 'MAILBOX_LEASED')).toEqual([]);
    }
    console.log(`two runs at once: ${refused} of ${2 * mailboxes.length} mailbox passes refused as held by the other run`);
    // Every pair was done by one of them, exactly.
    for (const m of mailboxes) {
      expect(reports.some((r) => r.mailboxes.some((x) => x.sourceEmail === m && x.state !== 'failed'))).toBe(true);
      const cmp = compareSnapshots(await snapshotMailbox(lab, 'source', m), await snapshotMailbox(lab, 'destination', m));
      expect(cmp.diffs).toEqual([]);
    }
  }, 300_000);
});
