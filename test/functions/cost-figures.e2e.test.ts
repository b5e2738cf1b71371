/**
 * The figures docs/deploy.md's cost model is built from, measured on one batch through the app
 * (blob trigger -> migrateBatch -> migrateMailbox -> folders -> activities) against the lab:
 * storage requests the app makes (blob and table, counted by a proxy in front of Azurite),
 * activity calls and orchestrator episodes (the replay host's stats), per mailbox. Printed as
 * `[cost]` lines; the assertions only keep the counts sane. Not counted here: the Durable task
 * hub's own queue and table traffic (the replay host keeps its state in memory).
 *
 *   npx vitest run test/functions/cost-figures.e2e.test.ts
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../shared/contracts/report.js';
import { blobHandler } from '../../functions/lib/blob-handler.js';
import { reportPaths } from '../../shared/engine/batch-ids.js';
import { getLab, type LabInfo } from '../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../lab/mailboxes.js';
import { seedMailbox } from '../lab/seed.js';
import { standardCorpus } from '../lab/corpus.js';
import { appUnderTest, blobContext, descendants, type AppUnderTest } from '../support/durable-app/app-under-test.js';

const MAILBOXES = 3;

/** Counts requests by "<service> <METHOD>" and forwards them unchanged (shared-key signatures do not cover the host). */
function countingProxy(target: number, service: string, counts: Map<string, number>): Promise<Server> {
  const server = createServer((req, res) => {
    const key = `${service} ${req.method ?? '?'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const upstream = request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let lab: LabInfo;
let app: AppUnderTest;
const servers: Server[] = [];
const counts = new Map<string, number>();
const mailboxes: string[] = [];

beforeAll(async () => {
  lab = getLab();
  const blob = await countingProxy(lab.azurite.blobPort, 'blob', counts);
  const table = await countingProxy(lab.azurite.tablePort, 'table', counts);
  servers.push(blob, table);
  const port = (s: Server): number => (s.address() as AddressInfo).port;
  const proxied = lab.azurite.connectionString
    .replace(`:${lab.azurite.blobPort}/`, `:${port(blob)}/`)
    .replace(`:${lab.azurite.tablePort}/`, `:${port(table)}/`);
  for (let i = 0; i < MAILBOXES; i++) mailboxes.push(uniqueAddress(`cost${i}`));
  for (const a of mailboxes) {
    await addMailbox(lab, 'source', a);
    await addMailbox(lab, 'destination', a);
    await seedMailbox(lab, 'source', a, standardCorpus());
  }
  app = appUnderTest({ STORAGE_CONNECTION_STRING: proxied }, undefined, { autoCutover: true });
}, 180_000);

afterAll(async () => {
  await app?.close();
  for (const s of servers) s.close();
});

describe('cost figures of one batch', () => {
  it('counts storage requests, activity calls and orchestrator episodes per mailbox', async () => {
    const csv = Buffer.from(`Email\n${mailboxes.join('\n')}\n`);
    await app.blobs.put('migrations', 'incoming/cost.csv', csv, 'text/csv');
    counts.clear(); // from the event on: what the app does for the batch
    const started = await blobHandler(app.deps)(csv, blobContext('cost.csv'));
    expect(started.kind).toBe('started');
    const id = (started as { batchId: string }).batchId;
    const result = await app.client.settled(id);
    expect(result.status, result.error).toBe('Completed');

    const report = JSON.parse((await app.blobs.get('reports', reportPaths.batchJson(id)))!.toString('utf8')) as BatchReport;
    const instances = [app.host.instance(id), ...descendants(app.host, id)].filter((i) => i !== undefined);
    const episodes = instances.reduce((n, i) => n + i.stats.episodes, 0);
    const activityCalls = instances.reduce((n, i) => n + i.stats.activityCalls.length, 0);
    const byActivity = new Map<string, number>();
    for (const i of instances) for (const c of i.stats.activityCalls) byActivity.set(c.name, (byActivity.get(c.name) ?? 0) + 1);
    const folders = report.mailboxes.reduce((n, m) => n + m.folders.length, 0);
    const storage = [...counts.values()].reduce((a, b) => a + b, 0);

    const per = (n: number): string => (n / MAILBOXES).toFixed(1);
    console.log(`[cost] batch of ${MAILBOXES} mailboxes (standard corpus, staged: copy pass + cut-over pass): ${folders / MAILBOXES} folders and ${report.totals.copied / MAILBOXES} messages (${(report.totals.copiedBytes / MAILBOXES / 1024).toFixed(0)} KiB) per mailbox`);
    console.log(`[cost] storage requests per mailbox: ${per(storage)} (${[...counts].sort().map(([k, v]) => `${k} ${per(v)}`).join(', ')})`);
    console.log(`[cost] executions per mailbox: ${per(activityCalls)} activity calls (${[...byActivity].sort().map(([k, v]) => `${k} ${per(v)}`).join(', ')}) + ${per(episodes)} orchestrator episodes (${instances.length} orchestration instances in all)`);

    expect(report.totals.mailboxes).toBe(MAILBOXES);
    expect(storage).toBeGreaterThan(0);
    expect(activityCalls).toBeGreaterThan(0);
  }, 300_000);
});
