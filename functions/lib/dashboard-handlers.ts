import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { CheckpointStore } from '../../shared/domain/checkpoints/checkpoint-store.js';
import type { HttpDeps } from './http-handlers.js';
import { dashboardView } from './dashboard-data.js';
import { DASHBOARD_CSP, DASHBOARD_HEADERS, DASHBOARD_HTML } from './dashboard-page.js';

export interface DashboardDeps extends HttpDeps {
  checkpoints: () => CheckpointStore;
}

const ID = /^b-[0-9a-f]{32}$/;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

const json = (status: number, body: unknown): HttpResponseInit => ({ status, jsonBody: body, headers: { 'content-type': 'application/json', 'content-security-policy': "default-src 'none'", ...DASHBOARD_HEADERS } });

/** GET /api/dashboard — the live page (static; it reads dashboard/data). */
export function dashboardPageHandler() {
  return (): Promise<HttpResponseInit> =>
    Promise.resolve({ status: 200, body: DASHBOARD_HTML, headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': DASHBOARD_CSP, ...DASHBOARD_HEADERS } });
}

/** GET /api/dashboard/data[?batch=b-…&offset&limit] — the newest batches (or one), each with a page of mailboxes. */
export function dashboardDataHandler(deps: DashboardDeps) {
  return async (req: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const batch = req.query.get('batch') ?? undefined;
    if (batch !== undefined && !ID.test(batch)) return json(400, { error: 'batch must look like b-<32 hex digits>' });
    const offset = Math.max(0, Math.floor(Number(req.query.get('offset') ?? 0)) || 0);
    const limit = Math.min(MAX_LIMIT, Math.max(1, Math.floor(Number(req.query.get('limit') ?? DEFAULT_LIMIT)) || DEFAULT_LIMIT));
    const view = await dashboardView({ client: deps.client(context), blobs: deps.blobs(), settings: deps.settings(), checkpoints: deps.checkpoints() }, { ...(batch ? { batch } : {}), offset, limit }, deps.now?.());
    return json(200, view);
  };
}
