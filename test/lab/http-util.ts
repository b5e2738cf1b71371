import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Plumbing shared by the lab's HTTPS stand-ins (token endpoint, Key Vault). */

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

export async function readBody(req: IncomingMessage, limitBytes = 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limitBytes) throw new Error('request body too large');
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req)).toString('utf8');
  if (text.trim() === '') return {};
  const v = JSON.parse(text) as unknown;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('expected a JSON object');
  return v as Record<string, unknown>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/**
 * Starts an HTTPS server on 127.0.0.1 with an ephemeral port. A handler that throws answers 500
 * with the message, so a lab bug shows up in the test instead of hanging the client.
 */
export async function startHttpsServer(tls: { cert: string; key: string }, handler: Handler): Promise<{ server: Server; port: number }> {
  const trace = process.env.MAILMIG_LAB_TRACE === '1';
  const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    if (trace) res.on('finish', () => console.error(`[lab] ${req.method ?? ''} ${url.pathname} -> ${res.statusCode}`));
    Promise.resolve(handler(req, res, url)).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: 'lab_internal_error', error_description: (err as Error).message });
      else res.destroy();
    });
  });
  // Clients keep connections alive; close() must not wait for them at teardown.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('unexpected server address');
  return { server, port: addr.port };
}

export async function stopHttpsServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Numeric field of a control request body, with a default and bounds. */
export function intField(body: Record<string, unknown>, key: string, dflt: number, min: number, max: number): number {
  const v = body[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new Error(`${key} must be an integer from ${min} to ${max}`);
  return v;
}

export function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new Error(`${key} must be a string`);
  return v;
}
