import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../shared/contracts/report.js';
import { bulkCorpus } from '../lab/corpus.js';
import { FaultProxy } from '../lab/fault-proxy.js';
import { getLab, labSettings, type LabInfo } from '../lab/lab-info.js';
import { runCli, workDir } from '../support/run-cli.js';
import { compareCopy, duplicatesAtDestination, seededPair } from '../support/lab-mailbox.js';

/**
 * The same faults through the built `mailmig migrate` as a whole process (the way an admin runs
 * it), with the proxy in this test process: one mailbox loses the tagged OK of an APPEND that
 * was stored, another runs over its destination quota.
 */

let lab: LabInfo;
let proxy: FaultProxy;

describe('reliability: mailmig migrate (a process) through the fault proxy', () => {
  beforeAll(() => {
    lab = getLab();
  });
  afterAll(async () => {
    await proxy?.stop();
  });

  it('a lost tagged OK in one mailbox and an over-quota destination in another: exit 1, the first copied exactly, the second reported OVER_QUOTA, nothing twice', async () => {
    const ok = await seededPair(lab, 'rel-cli-ok', bulkCorpus(30, { folders: 2, bodyBytes: 6000, seed: 'rel-cli-ok' }));
    const full = await seededPair(lab, 'rel-cli-full', bulkCorpus(30, { folders: 2, bodyBytes: 6000, seed: 'rel-cli-full' }), { quotaBytes: 40_000 });
    proxy = await FaultProxy.forLab(lab, 'destination');
    proxy.addFault({ on: { name: 'APPEND', nth: 4, user: ok }, action: { kind: 'cut-before-tagged-reply' } });
    const settings = labSettings(lab, { STORAGE_CONNECTION_STRING: '', DESTINATION_IMAP_PORT: String(proxy.port), RANGE_MAX_MESSAGES: '10' });
    const work = workDir(settings, `Email\r\n${ok}\r\n${full}\r\n`);

    const r = await runCli(['migrate', '--csv', work.csvPath, '--settings', work.settingsPath, '--retry-base-ms', '50']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(proxy.fired.map((f) => f.action)).toEqual(['cut-before-tagged-reply']);

    const report = JSON.parse(readFileSync(/Report: (.+\.json)/.exec(r.stdout)![1]!, 'utf8')) as BatchReport;
    const byAddress = new Map(report.mailboxes.map((m) => [m.sourceEmail, m]));
    expect(byAddress.get(ok)!.state).toBe('completed');
    expect(byAddress.get(full)!.state).toBe('failed');
    expect(byAddress.get(full)!.error?.code).toBe('OVER_QUOTA');

    expect((await compareCopy(lab, ok)).diffs).toEqual([]);
    const partial = await compareCopy(lab, full);
    expect(partial.extra).toEqual([]);
    expect(await duplicatesAtDestination(lab, full)).toEqual([]);
  }, 120_000);
});
