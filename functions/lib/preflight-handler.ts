import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { parseMailboxCsv } from '../../shared/domain/csv/parse-mailbox-csv.js';
import { preflightBatch, type PreflightDeps } from '../../shared/engine/preflight/index.js';
import { redact } from '../../shared/errors/redact.js';
import type { HttpDeps } from './http-handlers.js';
import { jsonBodyToCsv } from './json-body.js';

/**
 * Only settings and an engine: no durable client and no blob store, so this handler cannot start
 * an orchestration or store anything even by mistake.
 */
export interface PreflightHttpDeps extends Pick<HttpDeps, 'settings'> {
  /** The engine to check with: the worker's runtime on the host, a lab engine in tests. */
  engine: () => PreflightDeps;
  /** Most mailboxes per request; default MAX_PREFLIGHT_MAILBOXES. */
  maxMailboxes?: number;
}

/** Checked synchronously: about 1-2 s per mailbox, well inside the ~230 s an HTTP request may take on Azure. */
export const MAX_PREFLIGHT_MAILBOXES = 50;
/** 50 rows of two addresses need a few KB; anything near this is not a preflight request. */
const MAX_BODY_BYTES = 1024 * 1024;

const json = (status: number, body: unknown): HttpResponseInit => ({ status, body: redact(JSON.stringify(body)), headers: { 'content-type': 'application/json' } });

/**
 * POST /api/migrations/preflight — the dry run: a CSV (text/csv) or JSON body parsed exactly as
 * POST /api/migrations parses it; 400 with every row problem, 413 above the mailbox limit, else
 * 200 with each mailbox's checks. It copies nothing. Login refusals are not retried for the
 * propagation window here (a request cannot wait an hour): the report's fix says to wait.
 */
export function preflightHandler(deps: PreflightHttpDeps) {
  const max = deps.maxMailboxes ?? MAX_PREFLIGHT_MAILBOXES;
  return async (req: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const raw = Buffer.from(await req.arrayBuffer());
    if (raw.length === 0) return json(400, { error: 'empty body: send a CSV (text/csv) or JSON {"mailboxes": [...]}' });
    if (raw.length > MAX_BODY_BYTES) return json(413, { error: `body over ${MAX_BODY_BYTES} bytes: a preflight request takes at most ${max} mailboxes; use mailmig preflight --csv for more` });
    let csv: Buffer = raw;
    if ((req.headers.get('content-type') ?? '').toLowerCase().includes('json')) {
      const converted = jsonBodyToCsv(raw);
      if (!converted.ok) return json(400, { error: 'invalid JSON body', problems: converted.problems });
      csv = converted.csv;
    }
    const parsed = parseMailboxCsv(csv);
    if (!parsed.ok) return json(400, { error: 'the CSV is invalid; nothing was checked', problems: parsed.problems });
    if (parsed.rows.length > max) {
      return json(413, { error: `${parsed.rows.length} mailboxes: a preflight request checks at most ${max}. Run mailmig preflight --csv FILE for the whole list, or split it into requests of ${max}.` });
    }
    const settings = deps.settings();
    const report = await preflightBatch(deps.engine(), parsed.rows, {
      concurrency: Math.max(1, Math.min(settings.maxConcurrentMailboxes, parsed.rows.length)),
      propagationWindowMs: 0,
    });
    context.log(`preflight: ${report.totals.passed} passed, ${report.totals.failed} failed of ${report.totals.mailboxes}`);
    return json(200, { ...report, warnings: parsed.warnings });
  };
}
