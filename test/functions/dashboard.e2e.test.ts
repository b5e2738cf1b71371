import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHandler } from '../../functions/lib/http-handlers.js';
import { dashboardDataHandler } from '../../functions/lib/dashboard-handlers.js';
import { registration as pageRegistration } from '../../functions/triggers/httpDashboard.js';
import { registration as dataRegistration } from '../../functions/triggers/httpDashboardData.js';
import { DASHBOARD_ROUTES } from '../../shared/contracts/functions.js';
import type { ActivityInput } from '../../shared/contracts/activities.js';
import type { BatchReport } from '../../shared/contracts/report.js';
import { reportPaths } from '../../shared/engine/batch-ids.js';
import { getLab, type LabInfo } from '../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../lab/mailboxes.js';
import { seedMailbox } from '../lab/seed.js';
import { bulkCorpus } from '../lab/corpus.js';
import { appUnderTest, type AppUnderTest } from '../support/durable-app/app-under-test.js';
import { Chromium, type Page } from '../support/chromium.js';
import { startLocalHost, type LocalHost } from '../support/functions-http-host.js';
import { HOSTILE_FOLDERS, HOSTILE_SUBJECT, hostileCorpus } from '../support/hostile-corpus.js';
import { findLeaks } from '../support/secrets-scan.js';

/**
 * The screenshots are taken on every run, into a temporary directory; the README's own
 * (docs/screenshots) are rewritten on request: MAILMIG_SCREENSHOTS_DIR=docs/screenshots.
 */
const SHOTS = process.env.MAILMIG_SCREENSHOTS_DIR ? resolve(process.env.MAILMIG_SCREENSHOTS_DIR) : mkdtempSync(join(tmpdir(), 'mailmig-dashboard-'));

let lab: LabInfo;
let app: AppUnderTest;
let host: LocalHost;
let browser: Chromium;
const hostile = uniqueAddress('dashevil');
const plain = uniqueAddress('dashplain');
const orphan = uniqueAddress('dashgone'); // at the source only: fails at the destination login

// Each mailbox copies its first range, then its copy waits here until the test has seen it running.
let release!: () => void;
const gate = new Promise<void>((r) => (release = r));
const rangesSeen = new Map<string, number>();

/** A row's cells by their labels, as the page shows them. */
const rowText = (line: number): string => `(() => { const tr = document.querySelector('tr[data-line="${line}"]'); if (!tr) return null; const o = {}; for (const c of tr.children) o[c.getAttribute('data-label')] = c.textContent; return o; })()`;
type Row = Record<string, string> | null;

describe('live dashboard: one page served by the Functions app, in a real headless Chromium, against a batch running on the lab', () => {
  beforeAll(async () => {
    lab = getLab();
    for (const a of [hostile, plain]) {
      await addMailbox(lab, 'source', a);
      await addMailbox(lab, 'destination', a);
    }
    await addMailbox(lab, 'source', orphan);
    await seedMailbox(lab, 'source', hostile, hostileCorpus('dash', 12));
    await seedMailbox(lab, 'source', plain, bulkCorpus(24, { folders: 2, seed: 'dashplain' }));
    // A byte budget far above what the mailboxes hold: shown while they run, never reached.
    app = appUnderTest({ RANGE_MAX_MESSAGES: '4', DAILY_BYTES_PER_MAILBOX: String(100 * 1048576) }, (a) => ({
      ...a,
      copyMessageRange: async (input: ActivityInput<'copyMessageRange'>) => {
        const n = (rangesSeen.get(input.ref.mailbox) ?? 0) + 1;
        rangesSeen.set(input.ref.mailbox, n);
        if (n > 1) await gate;
        return a.copyMessageRange(input);
      },
    }), { autoCutover: true });
    const checkpoints = app.engine.checkpoints;
    host = await startLocalHost([
      // The page's registered handler itself (it needs nothing); the data's built by the same
      // factory as the registered one, over the emulated durable client and the lab's storage.
      { registration: pageRegistration, handler: async (req, ctx) => (await pageRegistration.handler(req, ctx)) as never },
      { registration: dataRegistration, handler: dashboardDataHandler({ ...app.deps, checkpoints: () => checkpoints }) },
    ]);
    browser = await Chromium.launch();
    mkdirSync(SHOTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    release?.();
    await browser?.close();
    await host?.close();
    await app?.close();
  });

  it('both routes are registered function-key protected; without the key (or with a wrong one) the host refuses them before any handler runs', async () => {
    expect([pageRegistration.authLevel, pageRegistration.route, pageRegistration.methods]).toEqual(['function', DASHBOARD_ROUTES.page, ['GET']]);
    expect([dataRegistration.authLevel, dataRegistration.route, dataRegistration.methods]).toEqual(['function', DASHBOARD_ROUTES.data, ['GET']]);
    for (const path of ['/api/dashboard', '/api/dashboard/data']) {
      expect((await fetch(`${host.base}${path}`)).status).toBe(401);
      expect((await fetch(`${host.base}${path}?code=wrong`)).status).toBe(401);
      expect((await fetch(`${host.base}${path}`, { headers: { 'x-functions-key': host.key } })).status).toBe(200);
    }
    const page = await fetch(`${host.base}/api/dashboard?code=${host.key}`);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+'; connect-src 'self'/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    // The page is static: no key, no data, nothing echoed from the request.
    expect(await page.text()).not.toContain(host.key);
    // And in the browser: the page opened without the key shows nothing of it.
    const tab = await browser.newPage();
    await tab.goto(`${host.base}/api/dashboard`);
    expect(await tab.evaluate<boolean>('document.getElementById("batches") === null')).toBe(true);
  });

  it('shows the mailboxes progressing and finishing; hostile folder names stay text, subjects never appear; laptop and phone screenshots', async () => {
    const res = await startHandler(app.deps)(new HttpRequest({ method: 'POST', url: 'http://localhost/api/migrations', headers: { 'content-type': 'text/csv' }, body: { string: `Email\n${hostile}\n${plain}\n${orphan}\n` } }), new InvocationContext({ logHandler: () => undefined }));
    expect(res.status).toBe(202);
    const id = (res.jsonBody as { id: string }).id;
    const page: Page = await browser.newPage();
    await page.viewport('laptop');
    await page.goto(`${host.base}/api/dashboard?code=${host.key}&refresh=1`);
    await page.waitFor(`document.querySelector('section[data-batch="${id}"]')`);

    // Running: each copying mailbox has copied its first range and waits at the gate.
    const running = (line: number): string => `(() => { const r = ${rowText(line)}; return r && r.State.startsWith('Running') && Number(r.Messages) > 0; })()`;
    await page.waitFor(`${running(2)} && ${running(3)} && ${rowText(4)}?.State === 'Failed'`, 90_000);
    await page.waitFor(`document.querySelector('tr[data-line="2"] .current q')`);
    const during = await page.evaluate<{ row2: Row; row3: Row; summary: string; latest: string; text: string; injected: number; pwned: unknown }>(
      `({ row2: ${rowText(2)}, row3: ${rowText(3)}, summary: document.querySelector('[data-summary]').textContent, latest: document.querySelector('tr[data-line="2"] .current q').textContent, text: document.body.textContent, injected: document.querySelectorAll('img, svg, iframe, script:not(:first-of-type), b').length, pwned: window.__pwned })`,
    );
    expect(during.summary).toMatch(/^Running, phase running, pass 1\. 3 mailboxes: 0 completed, 0 with issues, 1 failed, 2 running, 0 waiting; \d+ messages/);
    expect(Number(during.row2!.Messages)).toBeLessThan(36);
    // The budget's use in this window, from the mailbox's ledger: what its first ranges read.
    expect(during.row2!.State).toMatch(/^Runningbyte budget: \d+(\.\d)? KB of 100\.0 MB read, next window /);
    expect(Number(during.row3!.Messages)).toBeLessThan(24);
    // A hostile folder name, shown as the characters it is made of.
    expect(HOSTILE_FOLDERS).toContain(during.latest);
    expect(during.text).toContain(during.latest);
    expect(during.injected).toBe(0);
    expect(during.pwned).toBeUndefined();
    expect(during.text).not.toContain(HOSTILE_SUBJECT.slice(0, 20));
    await page.screenshot(resolve(SHOTS, 'dashboard-running.png'));

    release();
    const finished = `(() => { const a = ${rowText(2)}, b = ${rowText(3)}, c = ${rowText(4)}; return a && b && c && a.State === 'Completed' && b.State === 'Completed' && c.State === 'Failed' && a.Verification.startsWith('PASS') && /phase closed/.test(document.querySelector('[data-summary]').textContent); })()`;
    await page.waitFor(finished, 120_000);
    const after = await page.evaluate<{ rows: Row[]; summary: string; report: string | null; injected: number; pwned: unknown; text: string }>(
      `({ rows: [${rowText(2)}, ${rowText(3)}, ${rowText(4)}], summary: document.querySelector('[data-summary]').textContent, report: document.querySelector('section a[href*="/report"]')?.getAttribute('href') ?? null, injected: document.querySelectorAll('img, svg, iframe, script:not(:first-of-type), b').length, pwned: window.__pwned, text: document.body.textContent })`,
    );
    // Folders as the report counts them (the lab's server adds its special-use folders to each mailbox).
    const report = JSON.parse((await app.blobs.get(app.settings.reportsContainer, reportPaths.batchJson(id)))!.toString('utf8')) as BatchReport;
    const folders = report.mailboxes.map((m) => String(m.totals.folders));
    expect(Number(folders[0])).toBeGreaterThanOrEqual(4);
    expect(after.rows.map((r) => [r!.State, r!.Messages, r!.Folders])).toEqual([
      ['Completed', '36', folders[0]],
      ['Completed', '24', folders[1]],
      ['Failed', '0', '0'],
    ]);
    expect(after.rows[0]!.Verification).toBe(`PASS (${[...new Set(report.mailboxes[0]!.verification!.folders.map((f) => f.identity))].join(', ')})`);
    // The cut-over pass copied nothing new: no rate to show; the failed mailbox has none either.
    expect([after.rows[0]!.Rate, after.rows[2]!.Rate]).toEqual(['', '']);
    expect(after.rows[2]!['Errors and fixes']).toMatch(/^IMAP_AUTH_FAILED: .*Fix: Check the app has FullAccess/);
    expect(after.summary).toMatch(/phase closed, pass 2 \(cut-over\)\. 3 mailboxes: 2 completed, 0 with issues, 1 failed/);
    expect(after.report).toBe(`/api/migrations/${id}/report?format=html&code=${host.key}`);
    // And the HTML report links back here, to this batch.
    const html = (await app.blobs.get(app.settings.reportsContainer, reportPaths.batchJson(id).replace(/\.json$/, '.html')))!.toString('utf8');
    expect(html).toContain(`Live view: <a href="/api/dashboard#${id}:0">`);
    expect(after.injected).toBe(0);
    expect(after.pwned).toBeUndefined();
    expect(after.text).not.toContain(HOSTILE_SUBJECT.slice(0, 20));
    expect(findLeaks(lab, { page: after.text })).toEqual([]);
    // The page's own script and style ran under the CSP, and nothing else tried to.
    expect(browser.log.filter((l) => l.level === 'exception' || /Content.Security.Policy/i.test(l.text))).toEqual([]);
    await page.screenshot(resolve(SHOTS, 'dashboard.png'));
    await page.viewport('phone');
    await page.waitFor('true');
    await page.screenshot(resolve(SHOTS, 'dashboard-phone.png'));
    expect(await page.evaluate<string>(`getComputedStyle(document.querySelector('tr[data-line="2"]')).display`)).toBe('block');
  }, 300_000);
});
