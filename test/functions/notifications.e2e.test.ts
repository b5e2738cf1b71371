import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHandler } from '../../functions/lib/http-handlers.js';
import type { Notification } from '../../shared/domain/notifications/notification.js';
import { errorFix } from '../../shared/domain/reports/error-fix.js';
import { keyVaultControl } from '../lab/control.js';
import { getLab, labSettings, type LabInfo } from '../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../lab/mailboxes.js';
import { seedMailbox } from '../lab/seed.js';
import { appUnderTest } from '../support/durable-app/app-under-test.js';
import { HOSTILE_SUBJECT, hostileCorpus } from '../support/hostile-corpus.js';
import { runCli, workDir } from '../support/run-cli.js';
import { findLeaks } from '../support/secrets-scan.js';
import { startWebhookListener, type WebhookListener } from '../support/webhook-listener.js';

let lab: LabInfo;
let good: string;
let orphan: string;
let hook: WebhookListener;
const SECRET = `notify-hook-${Math.random().toString(36).slice(2, 8)}`;

const ctx = (): InvocationContext => new InvocationContext({ logHandler: () => undefined });
const post = (csv: string, query = ''): HttpRequest => new HttpRequest({ method: 'POST', url: `http://localhost/api/migrations${query}`, headers: { 'content-type': 'text/csv' }, body: { string: csv } });

/** What every payload must hold and must not: no secret, no URL token, no subject. */
function expectClean(payloads: unknown[]): void {
  const text = JSON.stringify(payloads);
  expect(findLeaks(lab, { payloads: text })).toEqual([]);
  expect(text).not.toContain(hook.token);
  expect(text).not.toContain('__pwned');
  expect(text).not.toContain(HOSTILE_SUBJECT.slice(0, 20));
}

describe('notifications: a webhook named by a secret is told when a mailbox fails and when a pass or the batch ends', () => {
  beforeAll(async () => {
    lab = getLab();
    good = uniqueAddress('notify');
    orphan = uniqueAddress('notifygone'); // at the source only: its destination login fails
    await addMailbox(lab, 'source', good);
    await addMailbox(lab, 'destination', good);
    await addMailbox(lab, 'source', orphan);
    await seedMailbox(lab, 'source', good, hostileCorpus('notify', 3));
    hook = await startWebhookListener();
    await keyVaultControl.putSecret(lab, SECRET, hook.url);
  }, 120_000);
  afterAll(async () => hook?.close());

  it('Functions app: mailbox-failed, pass-ended (pass 1) and batch-ended (pass 2, verification) reach the listener as JSON, from activities', async () => {
    hook.received.length = 0;
    const app = appUnderTest({ NOTIFY_WEBHOOK_SECRET_NAME: SECRET }, undefined, { autoCutover: true });
    try {
      const res = await startHandler(app.deps)(post(`Email\n${good}\n${orphan}\n`), ctx());
      expect(res.status).toBe(202);
      const id = (res.jsonBody as { id: string }).id;
      const run = await app.client.settled(id);
      expect(run.status, run.error).toBe('Completed');
    } finally {
      await app.close();
    }
    const got = hook.received as Notification[];
    expect(hook.requests.every((r) => r.method === 'POST' && r.contentType === 'application/json')).toBe(true);
    const failed = got.filter((n) => n.event === 'mailbox-failed');
    // The orphan fails in both passes (pass 1 copy, pass 2 cut-over); the good mailbox never.
    expect(failed.map((n) => [n.pass, n.mailbox?.sourceEmail, n.mailbox?.line])).toEqual([
      [1, orphan, 3],
      [2, orphan, 3],
    ]);
    const err = failed[0]!.mailbox!.error;
    expect(err.fix).toBe(errorFix(err.code));
    expect(failed[0]!.text).toContain(`${err.code}.`);
    const ends = got.filter((n) => n.event !== 'mailbox-failed').map((n) => ({ event: n.event, pass: n.pass, driver: n.driver, totals: n.totals, verification: n.verification }));
    expect(ends).toEqual([
      { event: 'pass-ended', pass: 1, driver: 'functions', totals: expect.objectContaining({ mailboxes: 2, completed: 1, failed: 1, copied: 9 }), verification: undefined },
      { event: 'batch-ended', pass: 2, driver: 'functions', totals: expect.objectContaining({ mailboxes: 2, completed: 1, failed: 1, copied: 9 }), verification: { passed: 1, failed: 0 } },
    ]);
    expect(got.find((n) => n.event === 'batch-ended')!.text).toMatch(/cut over and closed: 2 mailboxes, 1 completed, 0 with issues, 1 failed; 9 messages/);
    expectClean(got);
  }, 180_000);

  it('Functions app: a webhook answering 500 is logged by the secret name only and the batch completes all the same', async () => {
    hook.received.length = 0;
    hook.answer(500);
    const logged: string[] = [];
    const app = appUnderTest({ NOTIFY_WEBHOOK_SECRET_NAME: SECRET });
    // The app under test logs nowhere: its logger (the one the notifier was given) is made to record.
    (app.engine.log as { warn: (m: string) => void }).warn = (m) => logged.push(m);
    try {
      const res = await startHandler(app.deps)(post(`Email\n${orphan}\n`, '?cutover=immediate'), ctx());
      const run = await app.client.settled((res.jsonBody as { id: string }).id);
      expect(run.status, run.error).toBe('Completed');
      expect(run.customStatus).toMatchObject({ phase: 'closed', summary: { failed: 1 } });
    } finally {
      hook.answer(200);
      await app.close();
    }
    expect(hook.received.length).toBe(2); // the mailbox-failed and batch-ended POSTs were made, and refused
    expect(logged.filter((l) => l.includes('not delivered: HTTP 500')).length).toBe(2);
    expect(logged.join('\n')).toContain(`secret "${SECRET}"`);
    expect(logged.join('\n')).not.toContain(hook.token);
  }, 180_000);

  it('mailmig: the same events, with the URL read from LOCAL_SECRETS_FILE like the other secrets', async () => {
    hook.received.length = 0;
    const secrets = { 'src-secret': lab.entra.clients.migration.clientSecret, 'dst-secret': lab.entra.clients.migration.clientSecret, 'hook-url': hook.url };
    const w = workDir(
      labSettings(lab, { STORAGE_CONNECTION_STRING: '', KEY_VAULT_URL: '', SOURCE_CLIENT_SECRET_NAME: 'src-secret', DESTINATION_CLIENT_SECRET_NAME: 'dst-secret', NOTIFY_WEBHOOK_SECRET_NAME: 'hook-url' }),
      `Email\n${good}\n${orphan}\n`,
    );
    const secretsPath = join(w.dir, 'secrets.json');
    writeFileSync(secretsPath, JSON.stringify(secrets));
    const settings = JSON.parse((await import('node:fs')).readFileSync(w.settingsPath, 'utf8')) as { Values: Record<string, string> };
    settings.Values.LOCAL_SECRETS_FILE = secretsPath;
    writeFileSync(w.settingsPath, JSON.stringify(settings));
    const r = await runCli(['migrate', '--csv', w.csvPath, '--settings', w.settingsPath]);
    expect(r.code, r.stderr).toBe(1); // one mailbox failed
    const got = hook.received as Notification[];
    expect(got.map((n) => [n.event, n.driver, n.pass, n.mailbox?.sourceEmail ?? null])).toEqual([
      ['mailbox-failed', 'cli', null, orphan],
      ['pass-ended', 'cli', null, null],
    ]);
    expect(got[1]!.totals).toMatchObject({ mailboxes: 2, completed: 1, failed: 1 });
    expectClean(got);
    expect(r.stdout + r.stderr).not.toContain(hook.token);
  }, 180_000);
});
