import { TableClient } from '@azure/data-tables';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activities } from '../../functions/activities/handlers.js';
import { startHandler } from '../../functions/lib/http-handlers.js';
import { observeImapCommands } from '../../shared/adapters/imap/command-observer.js';
import { ACTIVITIES } from '../../shared/contracts/functions.js';
import { mailboxPair } from '../../shared/contracts/mailbox-pair.js';
import type { BatchReport } from '../../shared/contracts/report.js';
import { batchIdForBody, reportPaths } from '../../shared/engine/batch-ids.js';
import { getLab, type LabInfo } from '../lab/lab-info.js';
import { bulkCorpus } from '../lab/corpus.js';
import type { ActivityFunction } from '../support/durable-harness/index.js';
import { appUnderTest, descendants, type AppUnderTest } from '../support/durable-app/app-under-test.js';
import { compareCopy, duplicatesAtDestination, seededPair } from '../support/lab-mailbox.js';
import { findLeaks } from '../support/secrets-scan.js';

let lab: LabInfo;
const apps: AppUnderTest[] = [];
const ctx = (): InvocationContext => new InvocationContext({ logHandler: () => undefined });
const postCsv = (body: string, query = ''): HttpRequest => new HttpRequest({ method: 'POST', url: `http://localhost/api/migrations${query}`, headers: { 'content-type': 'text/csv' }, body: { string: body } });

describe('Durable app: one batch at a time per mailbox pair (a lease in the checkpoint table)', () => {
  const boxes: string[] = [];
  beforeAll(async () => {
    lab = getLab();
    for (let i = 0; i < 3; i++) boxes.push(await seededPair(lab, `flease${i}`, bulkCorpus(45, { folders: 3, seed: `flease${i}` })));
  }, 120_000);
  afterAll(async () => {
    for (const a of apps) await a.close();
  });

  it('two batches of the same mailboxes in another row order, started together: 0 duplicates, the second reports each pair as held by the first', async () => {
    const csvA = `Email\n${boxes.join('\n')}\n`;
    const csvB = `Email\n${[boxes[2], boxes[0], boxes[1]].join('\n')}\n`;
    const idA = batchIdForBody(Buffer.from(csvA));
    const idB = batchIdForBody(Buffer.from(csvB));
    expect(idB).not.toBe(idA); // the batch id does not see that they overlap

    // Both batches run at once; B reaches each pair only once A has begun it (A's prepare returned),
    // so which one works the pair is known and B's refusal is certain, not a matter of timing.
    const aBegun = new Map<string, { done: Promise<void>; resolve: () => void }>();
    const begun = (key: string) => {
      let g = aBegun.get(key);
      if (!g) {
        let resolve!: () => void;
        g = { done: new Promise<void>((r) => (resolve = r)), resolve };
        aBegun.set(key, g);
      }
      return g;
    };
    const history: string[] = [];
    const wrap = (a: Activities): Record<string, ActivityFunction> => {
      const recorded: Record<string, ActivityFunction> = {};
      for (const [name, fn] of Object.entries(a) as [string, (input: unknown) => Promise<unknown>][]) {
        recorded[name] = async (input: unknown) => {
          const out = await fn(input);
          history.push(JSON.stringify({ name, input, out }));
          return out;
        };
      }
      recorded[ACTIVITIES.prepareMailboxFolders] = async (input: Parameters<Activities['prepareMailboxFolders']>[0]) => {
        const key = mailboxPair(input).key;
        if (input.lease.batchId === idB) await begun(key).done;
        const out = await a.prepareMailboxFolders(input);
        history.push(JSON.stringify({ name: 'prepareMailboxFolders', input, out }));
        if (input.lease.batchId === idA) begun(key).resolve();
        return out;
      };
      return recorded;
    };
    const app = appUnderTest({}, wrap);
    apps.push(app);
    const start = startHandler(app.deps);
    const [a, b] = await Promise.all([start(postCsv(csvA, '?cutover=immediate'), ctx()), start(postCsv(csvB, '?cutover=immediate'), ctx())]);
    expect([a.status, b.status]).toEqual([202, 202]);
    const [runA, runB] = await Promise.all([app.client.settled(idA), app.client.settled(idB)]);
    expect(runA.status, runA.error).toBe('Completed');
    expect(runB.status, runB.error).toBe('Completed');

    // The destination, message by message: each folder a multiset of (sha256, size, flags, INTERNALDATE).
    for (const box of boxes) {
      const cmp = await compareCopy(lab, box);
      expect(cmp.extra, box).toEqual([]);
      expect(cmp.missing, box).toEqual([]);
      expect(cmp.diffs, box).toEqual([]);
      expect(await duplicatesAtDestination(lab, box), box).toEqual([]);
    }

    const report = async (id: string) => JSON.parse((await app.blobs.get('reports', reportPaths.batchJson(id)))!.toString('utf8')) as BatchReport;
    const [repA, repB] = [await report(idA), await report(idB)];
    expect(repA.mailboxes.map((m) => [m.sourceEmail, m.state, m.verification?.result])).toEqual(boxes.map((x) => [x, 'completed', 'PASS']));
    expect(repA.totals.copied).toBe(3 * 45);
    // B: every pair refused, naming the batch that holds it and since when; nothing copied.
    expect(repB.totals).toMatchObject({ mailboxes: 3, failed: 3, copied: 0 });
    for (const m of repB.mailboxes) {
      expect(m.error?.code, m.sourceEmail).toBe('MAILBOX_LEASED');
      expect(m.error?.message).toContain(`held by batch ${idA}`);
      expect(m.error?.message).toMatch(/since \d{4}-\d\d-\d\dT/);
    }
    expect(runB.customStatus).toMatchObject({ phase: 'closed', summary: { failed: 3, copied: 0 } });

    // Every pass released its pair when it ended: no lease row is left for a third batch to wait out.
    const table = TableClient.fromConnectionString(lab.azurite.connectionString, app.settings.checkpointTable, { allowInsecureConnection: true });
    const left: unknown[] = [];
    for await (const row of table.listEntities({ queryOptions: { filter: "RowKey eq 'lease'" } })) left.push(row);
    expect(left).toEqual([]);

    // No secret in activity inputs/outputs (the history), orchestration outputs, or the reports.
    const texts: Record<string, string> = { history: history.join('\n'), reportA: JSON.stringify(repA), reportB: JSON.stringify(repB) };
    for (const id of [idA, idB]) descendants(app.host, id).forEach((c, i) => (texts[`${id}-${i}`] = JSON.stringify([c.output, c.customStatus])));
    expect(findLeaks(lab, texts)).toEqual([]);
  }, 300_000);

  it('a pass whose pair another batch took meanwhile stops: its folder activities send no IMAP command, its report neither verifies nor closes the pair and leaves the lease to its holder', async () => {
    const box = await seededPair(lab, 'fleaselost', bulkCorpus(6, { folders: 1, seed: 'fleaselost' }));
    const app = appUnderTest();
    apps.push(app);
    const pair = mailboxPair({ sourceEmail: box, destinationEmail: box });
    const ref = { mailbox: pair.key, sourceEmail: box, destinationEmail: box, sourcePath: 'Bulk/001', destinationPath: 'Bulk/001' };
    const first = { batchId: 'b-first', instanceId: 'b-first:p1:m2' };
    const second = { batchId: 'b-second', instanceId: 'b-second:p1:m5' };
    // The first pass prepared the pair; then its lease lapsed and a second batch took it (as after a long stall).
    expect((await app.activities.prepareMailboxFolders({ sourceEmail: box, destinationEmail: box, lease: first })).status).toBe('ok');
    const table = TableClient.fromConnectionString(lab.azurite.connectionString, app.settings.checkpointTable, { allowInsecureConnection: true });
    const rows: { partitionKey?: string; rowKey?: string }[] = [];
    for await (const row of table.listEntities({ queryOptions: { filter: "RowKey eq 'lease'" } })) rows.push(row);
    expect(rows.length).toBe(1);
    await table.updateEntity({ partitionKey: rows[0]!.partitionKey!, rowKey: 'lease', expiresAt: new Date(Date.now() - 1000).toISOString() }, 'Merge');
    expect((await app.activities.prepareMailboxFolders({ sourceEmail: box, destinationEmail: box, lease: second })).status).toBe('ok');

    const commands: string[] = [];
    observeImapCommands((_site, c) => commands.push(c));
    try {
      const begin = await app.activities.beginFolderPass({ ref, lease: first });
      expect(begin).toMatchObject({ status: 'permanent', code: 'MAILBOX_LEASED' });
      expect(begin.status === 'permanent' && begin.detail).toContain('held by batch b-second (mailbox run b-second:p1:m5)');
      const copy = await app.activities.copyMessageRange({ ref, lease: first, range: { fromUid: 1, toUid: 6, count: 6, bytes: 0 } });
      expect(copy).toMatchObject({ status: 'permanent', code: 'MAILBOX_LEASED' });
      expect(commands).toEqual([]);
    } finally {
      observeImapCommands(undefined);
    }
    const report = await app.activities.writeMailboxReport({ batchId: 'b-first', row: { line: 2, sourceEmail: box, destinationEmail: box }, startedAt: new Date().toISOString(), folders: [], final: true, lease: first });
    expect(report).toMatchObject({ status: 'ok', value: { state: 'failed', error: 'MAILBOX_LEASED' } });
    expect(report.status === 'ok' && report.value.verification).toBeUndefined();
    expect(await app.engine.checkpoints.closedAt(pair.key)).toBeUndefined();
    // Still the second batch's. The row names instances and times, nothing else (no secret, no connection string).
    expect((await app.activities.beginFolderPass({ ref, lease: second })).status).toBe('ok');
    const row = await table.getEntity<Record<string, unknown>>(rows[0]!.partitionKey!, 'lease');
    const { partitionKey, rowKey, etag, timestamp, ...fields } = row;
    expect([partitionKey, rowKey, typeof etag, typeof timestamp]).toEqual([rows[0]!.partitionKey, 'lease', 'string', 'string']);
    expect(Object.keys(fields).filter((k) => !k.startsWith('odata.')).sort()).toEqual(['batchId', 'expiresAt', 'instanceId', 'mailbox', 'since']);
    expect(fields).toMatchObject({ ...second, mailbox: pair.key });
    expect(findLeaks(lab, { lease: JSON.stringify(row) })).toEqual([]);
  });
});
