import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { entraControl, keyVaultControl } from '../lab/control.js';
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

  describe('a cause every mailbox shares stops the batch early with one message', () => {
    /** A CSV of `n` mailboxes (none is reached: the cause fails before any IMAP login). */
    const manyRows = (n: number, tag: string): string => `Email\n${Array.from({ length: n }, (_, i) => `${tag}-${i}@contoso.example`).join('\n')}\n`;
    /** A port nothing listens on. */
    const closedPort = async (): Promise<number> => {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as { port: number };
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return port;
    };
    const run = async (settings: Record<string, string>, rows: number, tag: string): Promise<{ code: number | null; out: string; ms: number; report: BatchReport }> => {
      const work = workDir(labSettings(lab, { STORAGE_CONNECTION_STRING: '', ...settings }), manyRows(rows, tag));
      const reportPath = `${work.dir}/report.json`;
      const t0 = Date.now();
      // The default back-off (2 s, doubling): the time is what an admin would wait.
      const r = await runCli(['migrate', '--csv', work.csvPath, '--settings', work.settingsPath, '--concurrency', '4', '--report', reportPath]);
      return { code: r.code, out: `${r.stdout}\n${r.stderr}`, ms: Date.now() - t0, report: JSON.parse(readFileSync(reportPath, 'utf8')) as BatchReport };
    };
    const expectStopped = (r: { code: number | null; out: string; report: BatchReport }, code: string, rows: number): void => {
      expect(r.code, r.out).not.toBe(0);
      expect(r.report.stopped?.code, r.out).toBe(code);
      expect(r.report.mailboxes).toHaveLength(rows);
      expect(r.report.mailboxes.every((m) => m.state === 'failed' && (m.error?.code === code || m.error?.code === 'BATCH_STOPPED')), r.out).toBe(true);
      // One message, not one per row.
      expect(r.out.match(new RegExp(`${code}`, 'g'))?.length ?? 0, r.out).toBeLessThanOrEqual(3);
      expect(r.out.split('\n').filter((l) => l.includes('@contoso.example')).length, r.out).toBeLessThanOrEqual(1);
    };

    it('a wrong client secret on a 60-row CSV: exit 1 within seconds, one message with the AADSTS text once, naming the setting, never the secret', async () => {
      const app = await entraControl.registerApp(lab);
      const wrong = `wrong-${randomBytes(8).toString('hex')}`;
      const secret = `rel-${randomBytes(6).toString('hex')}`;
      await keyVaultControl.putSecret(lab, secret, wrong);
      const r = await run({ SOURCE_CLIENT_ID: app.clientId, DESTINATION_CLIENT_ID: app.clientId, SOURCE_CLIENT_SECRET_NAME: secret, DESTINATION_CLIENT_SECRET_NAME: secret }, 60, 'wrongsecret');
      expectStopped(r, 'TOKEN_INVALID_CLIENT', 60);
      expect(r.out.match(/AADSTS7000215/g)?.length, r.out).toBe(1);
      expect(r.out).toContain('CLIENT_SECRET_NAME');
      expect(r.out).not.toMatch(/Trace ID|Correlation ID/);
      expect(r.out).not.toContain(wrong);
      expect(r.ms, r.out).toBeLessThan(15_000);
      console.log(`wrong secret, 60 rows: ${r.ms} ms\n${r.out}`);
    }, 60_000);

    it('an unknown tenant: exit 1 within seconds, one message naming the tenant setting', async () => {
      const r = await run({ SOURCE_TENANT_ID: 'unknown-tenant.example' }, 20, 'unknowntenant');
      expectStopped(r, 'TOKEN_INVALID_CLIENT', 20);
      expect(r.out).toContain('SOURCE_TENANT_ID');
      expect(r.ms, r.out).toBeLessThan(15_000);
    }, 60_000);

    it('a refused source IMAP port: exit 1 within seconds (not a minute of silent retries per mailbox), one message naming the port setting', async () => {
      const r = await run({ SOURCE_IMAP_PORT: String(await closedPort()) }, 20, 'refusedport');
      expectStopped(r, 'HOST_UNREACHABLE', 20);
      expect(r.out).toContain('SOURCE_IMAP_PORT');
      expect(r.ms, r.out).toBeLessThan(15_000);
      console.log(`refused port, 20 rows: ${r.ms} ms\n${r.out}`);
    }, 120_000);

    it('a refused token endpoint port: exit 1 within seconds, one message naming the authority setting', async () => {
      const r = await run({ SOURCE_AUTHORITY_HOST: `https://127.0.0.1:${await closedPort()}` }, 20, 'refusedauthority');
      expectStopped(r, 'HOST_UNREACHABLE', 20);
      expect(r.out).toContain('SOURCE_AUTHORITY_HOST');
      expect(r.ms, r.out).toBeLessThan(15_000);
    }, 120_000);

    it('a refused Key Vault port: exit 1 within seconds (not a minute of retries per mailbox), one message naming KEY_VAULT_URL', async () => {
      const r = await run({ KEY_VAULT_URL: `https://127.0.0.1:${await closedPort()}` }, 20, 'refusedvault');
      expectStopped(r, 'HOST_UNREACHABLE', 20);
      expect(r.out).toContain('KEY_VAULT_URL');
      expect(r.ms, r.out).toBeLessThan(20_000);
      console.log(`refused vault, 20 rows: ${r.ms} ms\n${r.out}`);
    }, 120_000);
  });
});
