import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bulkCorpus, makeMessage } from '../../lab/corpus.js';
import { FaultProxy, throttledAnswer } from '../../lab/fault-proxy.js';
import { getLab, labSettings, type LabInfo } from '../../lab/lab-info.js';
import { seedMailbox, type SeedFolder } from '../../lab/seed.js';
import { runCli, workDir } from '../../support/run-cli.js';
import { compareCopy, seededPair } from '../../support/lab-mailbox.js';

/**
 * `mailmig verify` (and `complete`'s verification) as an admin runs them: the built CLI as a
 * process against the lab, through the fault proxy where the server has to throttle.
 */

let lab: LabInfo;
const proxies: FaultProxy[] = [];
const BACKOFF_MS = 1500;

const settingsFor = (overrides: Record<string, string> = {}): Record<string, string> => labSettings(lab, { STORAGE_CONNECTION_STRING: '', ...overrides });

describe('mailmig verify', () => {
  beforeAll(() => {
    lab = getLab();
  });
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
  });

  it('a throttling answer to an EXAMINE of verify and of complete: both wait the suggested time and end with PASS, exit 0', async () => {
    const address = await seededPair(lab, 'out-verify-throttle', bulkCorpus(40, { folders: 2, bodyBytes: 800, seed: 'out-verify-throttle' }));
    const work = workDir(settingsFor(), `Email\r\n${address}\r\n`);
    const first = await runCli(['migrate', '--csv', work.csvPath, '--settings', work.settingsPath, '--retry-base-ms', '50']);
    expect(first.code, first.stdout + first.stderr).toBe(0);

    // imapflow waits out a throttled FETCH by itself; a throttled EXAMINE reaches the engine.
    // Verification reads every folder read-only: the first source EXAMINE after the copy is its own.
    const source = await FaultProxy.forLab(lab, 'source');
    const destination = await FaultProxy.forLab(lab, 'destination');
    proxies.push(source, destination);
    const throttled = workDir(settingsFor({ SOURCE_IMAP_PORT: String(source.port), DESTINATION_IMAP_PORT: String(destination.port) }), `Email\r\n${address}\r\n`);
    source.addFault({ on: { name: 'EXAMINE', user: address }, action: throttledAnswer(BACKOFF_MS) });
    const began = Date.now();
    const verify = await runCli(['verify', '--csv', throttled.csvPath, '--settings', throttled.settingsPath]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(source.fired.map((f) => f.action)).toEqual(['answer']);
    expect(Date.now() - began).toBeGreaterThanOrEqual(BACKOFF_MS);
    expect(verify.stdout).toContain(`PASS ${address} -> ${address}`);
    expect(verify.stdout).toContain('1 PASS, 0 FAIL');

    // complete: the final pass copies nothing new and opens the destination folders read-write
    // (flags); only its verification EXAMINEs them, and the first of those is throttled.
    destination.addFault({ on: { name: 'EXAMINE', user: address }, action: throttledAnswer(BACKOFF_MS) });
    const complete = await runCli(['complete', '--csv', throttled.csvPath, '--settings', throttled.settingsPath, '--retry-base-ms', '50']);
    expect(complete.code, complete.stdout + complete.stderr).toBe(0);
    expect(destination.fired.map((f) => f.action)).toEqual(['answer']);
    expect(complete.stdout).toContain('Cut-over: verification PASS for 1 of 1 mailboxes');
    expect((await compareCopy(lab, address)).diffs).toEqual([]);
  }, 120_000);

  it('real counts past the 200 listed, extra messages, a destination folder whose source folder is gone, and a hostile Subject printed as visible escapes', async () => {
    const evil = 'Invoice \x1b]0;pwned\x07 \x1b[2J due';
    const source: SeedFolder[] = bulkCorpus(250, { folders: 1, bodyBytes: 200, seed: 'out-verify-counts' });
    // Raw bytes, as a hostile sender's server delivers them (the corpus would encode the controls as RFC 2047).
    const raw = ['Date: Tue, 02 Jan 2024 10:00:00 +0000', 'From: x@contoso.example', 'To: y@contoso.example', `Subject: ${evil}`, 'Message-ID: <evil@corpus.mailmig.test>', '', 'hello', ''].join('\r\n');
    source[0]!.messages.unshift({ raw });
    const address = await seededPair(lab, 'out-verify-counts', source);
    const only = (seed: string): SeedFolder['messages'][number] => ({ raw: makeMessage({ subject: `only at the destination ${seed}`, from: 'x@contoso.example', to: 'y@contoso.example', date: new Date(Date.UTC(2024, 0, 3)), seed }) });
    await seedMailbox(lab, 'destination', address, [
      { path: 'INBOX', messages: [only('inbox')] },
      { path: 'Old Projects', messages: [only('old-1'), only('old-2')] },
    ]);
    const work = workDir(settingsFor(), `Email\r\n${address}\r\n`);

    const r = await runCli(['verify', '--csv', work.csvPath, '--settings', work.settingsPath]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/FAIL "Bulk\/001" \(header-hash\+size\): source 251, destination 0; missing 251, duplicated 0, extra 0/);
    expect(r.stdout).toContain('… and 241 more missing');
    expect(r.stdout).toMatch(/PASS "INBOX" \(header-hash\+size\): source 0, destination 1; missing 0, duplicated 0, extra 1/);
    expect(r.stdout).toContain('extra');
    expect(r.stdout).toContain('destination folder "Old Projects" holds 2 message(s)');
    const report = JSON.parse(readFileSync(/Report: (.+\.json)/.exec(r.stdout)![1]!, 'utf8')) as { folders: { sourcePath: string; missing: unknown[]; counts: { missing: number } }[] }[];
    const bulk = report[0]!.folders.find((f) => f.sourcePath === 'Bulk/001')!;
    expect([bulk.missing.length, bulk.counts.missing]).toEqual([200, 251]);

    // Nothing from the mailbox steers the terminal: it is shown escaped (the first missing), the Message-ID once bracketed.
    expect(r.stdout + r.stderr).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    expect(r.stdout).toContain('<evil@corpus.mailmig.test> "Invoice \\x1b]0;pwned\\x07 \\x1b[2J due"');
    expect(r.stdout).not.toContain('<<');
  }, 120_000);

  it('--report naming the input CSV (or a .json whose .csv rendering would land on it) is refused: exit 2, the CSV untouched, nothing copied', async () => {
    const address = await seededPair(lab, 'out-report-target', bulkCorpus(5, { folders: 1, seed: 'out-report-target' }));
    const csv = `Email\r\n${address}\r\n`;
    const work = workDir(settingsFor(), csv);
    for (const args of [
      ['migrate', '--report', work.csvPath],
      ['migrate', '--report', work.csvPath.replace(/\.csv$/, '.json')],
      ['verify', '--report', work.csvPath],
      ['preflight', '--report', work.settingsPath],
    ]) {
      const r = await runCli([...args, '--csv', work.csvPath, '--settings', work.settingsPath]);
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr).toContain('is not a mailmig report');
    }
    expect(readFileSync(work.csvPath, 'utf8')).toBe(csv);
    expect((await compareCopy(lab, address)).missing.length).toBe(5);

    // A report we wrote may be written again by the same command.
    const report = work.csvPath.replace(/\.csv$/, '-report.json');
    for (let i = 0; i < 2; i++) {
      const r = await runCli(['migrate', '--report', report, '--csv', work.csvPath, '--settings', work.settingsPath, '--retry-base-ms', '50']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
    expect((await compareCopy(lab, address)).diffs).toEqual([]);
  }, 120_000);
});
