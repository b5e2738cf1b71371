import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../../../shared/contracts/report.js';
import type { DateWindow } from '../../../../shared/contracts/mailbox-controls.js';
import { ACTIVITIES } from '../../../../shared/contracts/functions.js';
import type { Activities } from '../../../../functions/activities/handlers.js';
import { blobHandler } from '../../../../functions/lib/blob-handler.js';
import { inWindow } from '../../../../shared/domain/controls/date-window.js';
import { getLab, type LabInfo } from '../../../lab/lab-info.js';
import { makeMessage } from '../../../lab/corpus.js';
import { seedMailbox, type SeedFolder } from '../../../lab/seed.js';
import { compareSnapshots, snapshotMailbox, type MailboxSnapshot } from '../../../lab/snapshot.js';
import { runThroughEngine } from '../../../support/engine-run.js';
import { FaultProxy } from '../../../lab/fault-proxy.js';
import { duplicatesAtDestination, seededPair } from '../../../support/lab-mailbox.js';
import type { ActivityFunction } from '../../../support/durable-harness/index.js';
import { appUnderTest, blobContext, type AppUnderTest } from '../../../support/durable-app/app-under-test.js';

let lab: LabInfo;
const apps: AppUnderTest[] = [];

/** One message per month of `year` (the 15th, noon UTC), each with its own bytes. */
const months = (path: string, year: number, tag: string): SeedFolder => ({
  path,
  messages: Array.from({ length: 12 }, (_, i) => ({
    raw: makeMessage({ subject: `${tag} ${year}-${i + 1}`, from: 'a@contoso.example', to: 'b@contoso.example', date: new Date(Date.UTC(year, i, 15)), seed: `${tag}${year}${i}` }),
    flags: i % 3 === 0 ? ['\\Seen'] : i % 3 === 1 ? ['\\Flagged', '\\Seen'] : [],
    internalDate: new Date(Date.UTC(year, i, 15, 12)),
  })),
});
const seed = (tag: string): SeedFolder[] => [months('INBOX', 2023, tag), months('Old', 2022, tag)];
const late = (tag: string): SeedFolder[] => [
  {
    path: 'INBOX',
    messages: [
      { raw: makeMessage({ subject: `${tag} late in window`, from: 'a@contoso.example', to: 'b@contoso.example', date: new Date(Date.UTC(2023, 6, 20)), seed: `${tag}late1` }), flags: [], internalDate: new Date(Date.UTC(2023, 6, 20, 8)) },
      { raw: makeMessage({ subject: `${tag} late, old`, from: 'a@contoso.example', to: 'b@contoso.example', date: new Date(Date.UTC(2021, 0, 1)), seed: `${tag}late2` }), flags: ['\\Seen'], internalDate: new Date(Date.UTC(2021, 0, 1, 8)) },
    ],
  },
];

/** The source as a window should have copied it: each folder's messages dated in `w`. */
function within(s: MailboxSnapshot, w: DateWindow): MailboxSnapshot {
  return { ...s, folders: Object.fromEntries(Object.entries(s.folders).map(([p, f]) => [p, { ...f, messages: f.messages.filter((m) => inWindow(w, m.internalDate)) }])) };
}

/** Destination = the source restricted to `w`, message by message (sha256, flags, internal date), nothing twice. */
async function expectWindowCopied(address: string, w: DateWindow, why: string): Promise<void> {
  const [src, dst] = await Promise.all([snapshotMailbox(lab, 'source', address), snapshotMailbox(lab, 'destination', address)]);
  expect(compareSnapshots(within(src, w), dst).diffs, why).toEqual([]);
  expect(await duplicatesAtDestination(lab, address), why).toEqual([]);
}

const summer = { since: '2023-06-01', before: '2023-09-01' };

describe('date window (since, before) in both drivers', () => {
  beforeAll(() => {
    lab = getLab();
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
  });

  it('CLI driver, per batch: a narrow window copies only its dates; a delta adds new mail in the window only; a wider window then copies exactly the rest; no window at cut-over copies the remainder and verifies PASS, 0 duplicates', async () => {
    const address = await seededPair(lab, 'dwin', seed('dwin'));
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-dwin-'));
    const run = async (settings: Record<string, string>, final = false) => {
      const r = await runThroughEngine(lab, [address], { stateDir, settings, final, ...(final ? {} : {}) });
      expect(r.report.mailboxes[0]!.state, r.log.join('\n')).toBe('completed');
      return r;
    };
    const narrow = await run({ MESSAGES_SINCE: summer.since, MESSAGES_BEFORE: summer.before, RANGE_MAX_MESSAGES: '4' });
    expect(narrow.report.mailboxes[0]!.totals.copiedThisPass).toBe(3);
    expect(narrow.report.mailboxes[0]!.dateWindow).toEqual(summer);
    await expectWindowCopied(address, summer, narrow.log.join('\n'));

    await seedMailbox(lab, 'source', address, late('dwin'));
    const delta = await run({ MESSAGES_SINCE: summer.since, MESSAGES_BEFORE: summer.before, RANGE_MAX_MESSAGES: '4' });
    expect(delta.report.mailboxes[0]!.totals.copiedThisPass).toBe(1);
    await expectWindowCopied(address, summer, delta.log.join('\n'));

    // Wider: all of 2023 on. Below the high-water UID only the dates the narrow passes left out are copied.
    const wider = await run({ MESSAGES_SINCE: '2023-01-01', RANGE_MAX_MESSAGES: '4' });
    expect(wider.report.mailboxes[0]!.totals.copiedThisPass).toBe(9);
    await expectWindowCopied(address, { since: '2023-01-01' }, wider.log.join('\n'));
    // The same window again: nothing left to copy.
    const again = await run({ MESSAGES_SINCE: '2023-01-01', RANGE_MAX_MESSAGES: '4' });
    expect(again.report.mailboxes[0]!.totals.copiedThisPass).toBe(0);

    const cut = await run({ RANGE_MAX_MESSAGES: '4' }, true);
    expect(cut.report.mailboxes[0]!.totals.copiedThisPass).toBe(13);
    expect(cut.report.mailboxes[0]!.verification?.result, JSON.stringify(cut.report.mailboxes[0]!.verification)).toBe('PASS');
    await expectWindowCopied(address, {}, cut.log.join('\n'));
  });

  it.each([
    { mode: 'one message per APPEND', settings: { APPEND_BATCH_MESSAGES: '1' } },
    { mode: 'MULTIAPPEND', settings: { APPEND_BATCH_MESSAGES: '3' } },
  ])('CLI driver, $mode: a wider window\'s range below the high-water UID cut after an APPEND was stored but before its OK is retried without a duplicate', async ({ mode, settings }) => {
    const tag = `dwincut${mode.length}`;
    const address = await seededPair(lab, tag, seed(tag));
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-dwincut-'));
    const narrow = await runThroughEngine(lab, [address], { stateDir, settings: { MESSAGES_SINCE: summer.since, MESSAGES_BEFORE: summer.before, ...settings } });
    expect(narrow.report.mailboxes[0]!.totals.copiedThisPass).toBe(3);
    const proxy = await FaultProxy.forLab(lab, 'destination');
    try {
      // The wide pass starts below the high-water UID: its first APPENDs are the rest of the old ranges.
      proxy.addFault({ on: { name: 'APPEND', nth: 2 }, action: { kind: 'cut-before-tagged-reply' } });
      const wide = await runThroughEngine(lab, [address], { stateDir, destination: proxy, settings: { RANGE_MAX_MESSAGES: '6', ...settings } });
      expect(proxy.fired.map((f) => f.action), wide.log.join('\n')).toEqual(['cut-before-tagged-reply']);
      expect(wide.report.mailboxes[0]!.state, wide.log.join('\n')).toBe('completed');
    } finally {
      await proxy.stop();
    }
    await expectWindowCopied(address, {}, '');
  });

  it('Functions app, per row (Since, Before columns): a narrow batch, then a batch without a window on the same ledger copies exactly the rest and verifies PASS, 0 duplicates', async () => {
    const address = await seededPair(lab, 'dwinfn', seed('dwinfn'));
    const table = `cp${Math.random().toString(36).slice(2, 10)}`;
    let firstPass!: () => void;
    const passed = new Promise<void>((resolve) => (firstPass = resolve));
    const wrap = (a: Activities): Record<string, ActivityFunction> => ({
      ...a,
      [ACTIVITIES.writeBatchReport]: async (input: { batchId: string; pass?: number; startedAt: string }) => {
        const r = await a.writeBatchReport(input);
        if (input.pass === 1) firstPass();
        return r;
      },
    });
    const narrowApp = appUnderTest({ CHECKPOINT_TABLE: table, RANGE_MAX_MESSAGES: '4' }, wrap);
    apps.push(narrowApp);
    const csv = Buffer.from(`Email;Since;Before\n${address};${summer.since};${summer.before}\n`);
    await narrowApp.blobs.put('migrations', 'incoming/narrow.csv', csv, 'text/csv');
    const id = ((await blobHandler(narrowApp.deps)(csv, blobContext('narrow.csv'))) as { batchId: string }).batchId;
    await passed;
    const pass1 = JSON.parse((await narrowApp.blobs.get('reports', `${id}/pass-1/report.json`))!.toString('utf8')) as BatchReport;
    expect(pass1.mailboxes[0]!.totals.copiedThisPass).toBe(3);
    expect(pass1.mailboxes[0]!.dateWindow).toEqual(summer);
    await expectWindowCopied(address, summer, '');
    await narrowApp.client.terminate(id, 'test: the admin starts another batch');

    await seedMailbox(lab, 'source', address, late('dwinfn'));
    const wideApp = appUnderTest({ CHECKPOINT_TABLE: table, RANGE_MAX_MESSAGES: '4' }, undefined, { autoCutover: true });
    apps.push(wideApp);
    const csv2 = Buffer.from(`Email\n${address}\n`);
    await wideApp.blobs.put('migrations', 'incoming/wide.csv', csv2, 'text/csv');
    const id2 = ((await blobHandler(wideApp.deps)(csv2, blobContext('wide.csv'))) as { batchId: string }).batchId;
    const run = await wideApp.client.settled(id2);
    expect(run.status, run.error).toBe('Completed');
    const pass = JSON.parse((await wideApp.blobs.get('reports', `${id2}/pass-1/report.json`))!.toString('utf8')) as BatchReport;
    // 24 seeded + 2 late, less the 3 the narrow batch copied.
    expect(pass.mailboxes[0]!.totals.copiedThisPass).toBe(23);
    const final = JSON.parse((await wideApp.blobs.get('reports', `${id2}/report.json`))!.toString('utf8')) as BatchReport;
    expect(final.mailboxes[0]!.verification?.result, JSON.stringify(final.mailboxes[0]!.verification)).toBe('PASS');
    await expectWindowCopied(address, {}, '');
  });
});
