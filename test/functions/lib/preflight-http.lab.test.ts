import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preflightHandler } from '../../../functions/lib/preflight-handler.js';
import { loadSettings, type Settings } from '../../../shared/config/settings.js';
import { createEngine, type Engine } from '../../../shared/composition/create-engine.js';
import type { MailboxPreflight, PreflightReport } from '../../../shared/engine/preflight/index.js';
import { bulkCorpus } from '../../lab/corpus.js';
import { getLab, labSettings } from '../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../lab/mailboxes.js';
import { seedMailbox } from '../../lab/seed.js';
import { folderCounts, snapshotMailbox } from '../../lab/snapshot.js';
import { findLeaks } from '../../support/secrets-scan.js';

const lab = getLab();
let settings: Settings;
let engine: Engine;
const outputs: Record<string, string> = {};

function post(body: string, contentType: string): HttpRequest {
  return new HttpRequest({ method: 'POST', url: 'http://localhost/api/migrations/preflight', headers: { 'content-type': contentType }, body: { string: body } });
}

async function call(handler: ReturnType<typeof preflightHandler>, req: HttpRequest, name: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await handler(req, new InvocationContext({ functionName: 'httpMigrationPreflight' }));
  const text = String(res.body ?? '');
  outputs[name] = text;
  return { status: res.status ?? 200, body: JSON.parse(text) as Record<string, unknown> };
}

beforeAll(() => {
  const env = labSettings(lab, { STORAGE_CONNECTION_STRING: '' });
  settings = loadSettings(env);
  engine = createEngine(settings, env, { log: { info: () => undefined, warn: () => undefined }, state: 'file' });
});

afterAll(async () => engine.close());

describe('POST /api/migrations/preflight (handler called directly, against the lab)', () => {
  it('preflightHandler: a JSON body is checked synchronously, 200 with each mailbox\'s checks; nothing is copied', async () => {
    const ready = uniqueAddress('pf-http-ok');
    const ungranted = uniqueAddress('pf-http-nogrant');
    await addMailbox(lab, 'source', ready);
    await addMailbox(lab, 'destination', ready);
    await addMailbox(lab, 'destination', ungranted);
    await seedMailbox(lab, 'source', ready, bulkCorpus(6, { folders: 2, seed: ready }));
    const before = folderCounts(await snapshotMailbox(lab, 'destination', ready));

    const handler = preflightHandler({ settings: () => settings, engine: () => engine });
    const r = await call(handler, post(JSON.stringify({ mailboxes: [{ sourceEmail: ready, destinationEmail: ready }, { email: ungranted }] }), 'application/json'), 'json');

    expect(r.status).toBe(200);
    const report = r.body as unknown as PreflightReport;
    expect(report.totals).toMatchObject({ mailboxes: 2, passed: 1, failed: 1 });
    const ok = report.mailboxes.find((m: MailboxPreflight) => m.sourceEmail === ready)!;
    expect(ok.ok).toBe(true);
    expect(ok.stats?.messages).toBe(6);
    const bad = report.mailboxes.find((m: MailboxPreflight) => m.sourceEmail === ungranted)!;
    const login = bad.checks.find((c) => c.id === 'login' && c.side === 'source')!;
    expect(login).toMatchObject({ status: 'fail', code: 'IMAP_AUTH_FAILED' });
    expect(login.cause).toContain('no FullAccess on this mailbox');
    // A dry run: the destination is exactly as it was, no folder created, no message appended.
    expect(folderCounts(await snapshotMailbox(lab, 'destination', ready))).toEqual(before);
  });

  it('preflightHandler: a CSV body with a bad row is refused with 400 naming line and field; nothing is checked', async () => {
    const handler = preflightHandler({ settings: () => settings, engine: () => { throw new Error('the engine must not be used for an invalid CSV'); } });
    const r = await call(handler, post('SourceEmail,DestinationEmail\r\nok@contoso.example,ok@fabrikam.example\r\nnot-an-address,x@fabrikam.example\r\n', 'text/csv'), 'csv400');
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('the CSV is invalid; nothing was checked');
    expect(r.body.problems).toEqual(expect.arrayContaining([expect.objectContaining({ line: 3, field: 'SourceEmail' })]));
  });

  it('preflightHandler: an invalid JSON body and an empty body are 400', async () => {
    const handler = preflightHandler({ settings: () => settings, engine: () => engine });
    expect((await call(handler, post('{"mailboxes": [{"nope": 1}]}', 'application/json'), 'json400')).status).toBe(400);
    expect((await call(handler, post('', 'text/csv'), 'empty')).status).toBe(400);
  });

  it('preflightHandler: more than 50 mailboxes is 413 with a pointer to mailmig preflight; the limit is a dependency', async () => {
    const many = Array.from({ length: 51 }, (_, i) => `user${i}@contoso.example`);
    const handler = preflightHandler({ settings: () => settings, engine: () => { throw new Error('not used above the limit'); } });
    const r = await call(handler, post(`Email\r\n${many.join('\r\n')}\r\n`, 'text/csv'), 'too-many');
    expect(r.status).toBe(413);
    expect(String(r.body.error)).toContain('51 mailboxes: a preflight request checks at most 50');
    expect(String(r.body.error)).toContain('mailmig preflight --csv');
    const small = preflightHandler({ settings: () => settings, engine: () => engine, maxMailboxes: 2 });
    expect((await call(small, post('Email\r\na@contoso.example\r\nb@contoso.example\r\nc@contoso.example\r\n', 'text/csv'), 'limit3')).status).toBe(413);
  });

  it('no secret value or token appears in any response body', () => {
    expect(findLeaks(lab, outputs)).toEqual([]);
  });
});
