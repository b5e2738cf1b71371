import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequest, InvocationContext, type HttpFunctionOptions, type HttpResponseInit } from '@azure/functions';

export interface LocalRoute {
  /** The registration as the app declares it (authLevel, route, methods). */
  registration: HttpFunctionOptions;
  /** The handler to call: the registered one, or one built by the same factory over test dependencies. */
  handler: (req: HttpRequest, ctx: InvocationContext) => Promise<HttpResponseInit>;
}

export interface LocalHost {
  base: string;
  key: string;
  close(): Promise<void>;
}

/**
 * A small stand-in for the Functions host's HTTP front, for browsers in tests: routes under /api,
 * and the host's function-key check as the host does it — a function whose registration says
 * authLevel 'function' (or 'admin') is answered 401 unless the request carries the key in `?code=`
 * or the `x-functions-key` header; the handler never sees such a request.
 */
export async function startLocalHost(routes: readonly LocalRoute[]): Promise<LocalHost> {
  const key = `k${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const route = routes.find((r) => `/api/${r.registration.route ?? ''}` === url.pathname && (r.registration.methods ?? ['GET']).includes((req.method ?? 'GET') as 'GET'));
      if (!route) {
        res.writeHead(404).end();
        return;
      }
      const given = url.searchParams.get('code') ?? req.headers['x-functions-key'];
      if ((route.registration.authLevel ?? 'anonymous') !== 'anonymous' && given !== key) {
        res.writeHead(401).end();
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const request = new HttpRequest({ method: req.method ?? 'GET', url: url.toString(), headers, query: Object.fromEntries(url.searchParams) });
      try {
        const r = await route.handler(request, new InvocationContext({ logHandler: () => undefined }));
        const out = r.jsonBody !== undefined ? JSON.stringify(r.jsonBody) : typeof r.body === 'string' ? r.body : '';
        res.writeHead(r.status ?? 200, r.headers as Record<string, string>).end(out);
      } catch (e) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(e instanceof Error ? e.message : 'error');
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, key, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
