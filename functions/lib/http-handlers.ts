import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Settings } from '../../shared/config/settings.js';
import type { BlobStore } from '../../shared/adapters/blob/blob-store.js';
import { batchIdForBody, reportPaths } from '../../shared/engine/batch-ids.js';
import type { DurableClientLike, OrchestrationStatusLike } from './durable-client.js';
import { startBatch } from './start-batch.js';
import { jsonBodyToCsv } from './json-body.js';

export interface HttpDeps {
  client: (context: InvocationContext) => DurableClientLike;
  blobs: () => BlobStore;
  settings: () => Settings;
  now?: () => Date;
}

const json = (status: number, body: unknown): HttpResponseInit => ({ status, jsonBody: body, headers: { 'content-type': 'application/json' } });
const ID = /^b-[0-9a-f]{32}$/;
/** Bodies beyond this are refused: 50,000 rows of two addresses fit well within it. */
const MAX_BODY_BYTES = 20 * 1024 * 1024;

/** POST /api/migrations — a CSV (text/csv) or JSON body; 202 with links, 400 with every row error, 200 for a duplicate. */
export function startHandler(deps: HttpDeps) {
  return async (req: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const raw = Buffer.from(await req.arrayBuffer());
    if (raw.length === 0) return json(400, { error: 'empty body: send a CSV (text/csv) or JSON {"mailboxes": [...]}' });
    if (raw.length > MAX_BODY_BYTES) return json(413, { error: `body over ${MAX_BODY_BYTES} bytes` });
    const type = (req.headers.get('content-type') ?? '').toLowerCase();
    let csv: Buffer;
    if (type.includes('json')) {
      const converted = jsonBodyToCsv(raw);
      if (!converted.ok) return json(400, { error: 'invalid JSON body', problems: converted.problems });
      csv = converted.csv;
    } else csv = raw;
    const settings = deps.settings();
    const cutover = req.query.get('cutover');
    if (cutover !== null && cutover !== 'immediate') return json(400, { error: 'cutover must be "immediate" (one pass, then verification and close) or absent (staged)' });
    const batchId = batchIdForBody(csv);
    const outcome = await startBatch({
      client: deps.client(context),
      blobs: deps.blobs(),
      settings,
      batchId,
      csv,
      csvRef: { container: settings.migrationsContainer, blobName: reportPaths.uploadedCsv(batchId) },
      upload: true,
      now: deps.now?.() ?? new Date(),
      mode: cutover === 'immediate' ? 'final' : 'copy',
    });
    if (outcome.kind === 'invalid') return json(400, { error: 'the CSV is invalid; nothing was started', problems: outcome.problems });
    const links = { id: batchId, statusUrl: `/api/migrations/${batchId}`, reportUrl: `/api/migrations/${batchId}/report`, cancelUrl: `/api/migrations/${batchId}/cancel` };
    if (outcome.kind === 'duplicate') return json(200, { ...links, duplicate: true, runtimeStatus: outcome.runtimeStatus });
    return json(202, { ...links, mailboxes: outcome.rows });
  };
}

type Found = { id: string; client: DurableClientLike; status: OrchestrationStatusLike };

/** The batch named by the route, or the 400/404 answer. */
async function findBatch(deps: HttpDeps, req: HttpRequest, context: InvocationContext): Promise<Found | HttpResponseInit> {
  const id = req.params.id ?? '';
  if (!ID.test(id)) return json(400, { error: 'id must look like b-<32 hex digits>' });
  const client = deps.client(context);
  const status = await client.getStatus(id);
  if (!status) return json(404, { error: `no batch ${id}` });
  return { id, client, status };
}

const isFound = (f: Found | HttpResponseInit): f is Found => 'client' in f;

/** GET /api/migrations/{id} — runtime status and counts; ?mailboxes=1 adds per-mailbox reports (paged with offset/limit). */
export function statusHandler(deps: HttpDeps) {
  return async (req: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const found = await findBatch(deps, req, context);
    if (!isFound(found)) return found;
    const { id, status: s } = found;
    const body: Record<string, unknown> = { id, runtimeStatus: s.runtimeStatus, progress: s.customStatus ?? null, createdTime: s.createdTime, lastUpdatedTime: s.lastUpdatedTime };
    if (req.query.get('mailboxes')) {
      const offset = Math.max(0, Number(req.query.get('offset') ?? 0) || 0);
      const limit = Math.min(200, Math.max(1, Number(req.query.get('limit') ?? 100) || 100));
      const blobs = deps.blobs();
      const container = deps.settings().reportsContainer;
      const names = (await blobs.list(container, reportPaths.mailboxPrefix(id))).sort().slice(offset, offset + limit);
      const mailboxes = [];
      for (const n of names) {
        const b = await blobs.get(container, n);
        if (!b) continue;
        const r = JSON.parse(b.toString('utf8')) as { sourceEmail: string; destinationEmail: string; state: string; totals: unknown; error?: unknown };
        mailboxes.push({ sourceEmail: r.sourceEmail, destinationEmail: r.destinationEmail, state: r.state, totals: r.totals, error: r.error ?? null });
      }
      body.mailboxes = mailboxes;
    }
    return json(200, body);
  };
}

/** POST /api/migrations/{id}/cancel — terminates the batch and its running children. */
export function cancelHandler(deps: HttpDeps) {
  return async (req: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const found = await findBatch(deps, req, context);
    if (!isFound(found)) return found;
    const { id, client, status: s } = found;
    if (s.runtimeStatus !== 'Running' && s.runtimeStatus !== 'Pending') return json(409, { error: `batch is ${s.runtimeStatus ?? 'not running'}` });
    await client.terminate(id, 'cancelled by request');
    const children = await client.runningWithPrefix(`${id}:`);
    for (const c of children) await client.terminate(c, 'batch cancelled');
    return json(202, { id, cancelled: true, children: children.length });
  };
}

/**
 * POST /api/migrations/{id}/delta and /complete — asks an open batch for another pass or for the
 * cut-over. A running pass takes the request when it ends; a closed batch refuses it (409).
 */
export function passHandler(deps: HttpDeps, event: 'delta' | 'cutover') {
  return async (req: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const found = await findBatch(deps, req, context);
    if (!isFound(found)) return found;
    const { id, client, status: s } = found;
    if (s.runtimeStatus === 'Completed') {
      return json(409, { error: `batch ${id} was cut over and is closed; ${event === 'delta' ? 'a delta pass' : 'another cut-over'} is refused. Start a new batch for mailboxes not yet migrated.` });
    }
    if (s.runtimeStatus !== 'Running' && s.runtimeStatus !== 'Pending') return json(409, { error: `batch ${id} is ${s.runtimeStatus ?? 'not running'}` });
    await client.raiseEvent(id, event, { requestedAt: (deps.now?.() ?? new Date()).toISOString() });
    const phase = (s.customStatus as { phase?: string } | null)?.phase ?? 'running';
    return json(202, { id, accepted: event, note: phase === 'waiting' ? 'starting now' : 'the running pass finishes first' });
  };
}

const REPORT_TYPES = new Map([
  ['json', 'application/json'],
  ['csv', 'text/csv; charset=utf-8'],
  ['html', 'text/html; charset=utf-8'],
]);

/** GET /api/migrations/{id}/report — the batch report once written (404 before). */
export function reportHandler(deps: HttpDeps) {
  return async (req: HttpRequest): Promise<HttpResponseInit> => {
    const id = req.params.id ?? '';
    if (!ID.test(id)) return json(400, { error: 'id must look like b-<32 hex digits>' });
    const format = req.query.get('format') ?? 'json';
    // A Map, not an object literal: `?format=constructor` or `toString` must not find Object.prototype's members.
    const type = REPORT_TYPES.get(format);
    if (!type) return json(400, { error: 'format must be json, csv or html' });
    const b = await deps.blobs().get(deps.settings().reportsContainer, reportPaths.batchJson(id).replace(/\.json$/, `.${format}`));
    if (!b) return json(404, { error: `no report for ${id} yet` });
    return { status: 200, body: b.toString('utf8'), headers: { 'content-type': type, ...(format === 'csv' ? { 'content-disposition': `attachment; filename="${id}.csv"` } : {}) } };
  };
}
