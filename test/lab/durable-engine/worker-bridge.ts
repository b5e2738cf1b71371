/**
 * The Node worker, reduced to what the lab's engine host needs: loads the built app
 * (`dist/functions/index.js`, unchanged) the way the Azure Functions Node worker does — through
 * the `@azure/functions-core` module it provides, here the stand-in in ./worker-core, found on
 * NODE_PATH — and runs the registered handlers on request over localhost HTTP:
 *
 *   GET  /functions               [{ name, trigger }] : what the host indexes
 *   POST /orchestration/<name>    body: the extension's JSON context -> OrchestratorState JSON
 *   POST /activity/<name>         body: the activity input as JSON text -> { result }
 *   PUT  /durable-client          the durable client binding JSON the engine host produced
 *   POST /trigger/<name>          a blob or HTTP trigger: { blob: { name, base64 } } or
 *                                 { http: { method, url, params, query, body } }, run with the
 *                                 durable client as its extra input -> { result } / { status, jsonBody, body }
 *   PUT  /faults                  activity faults for the next calls (a test seam; see ActivityFault)
 *   GET  /calls                   activity calls so far, per name
 *
 * A failed invocation answers 500 { message, stack }: the host turns it into the Functions host's
 * failure text. Usage: node worker-bridge.js <app entry> (prints `listening on 127.0.0.1:<port>`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FunctionInput, FunctionTrigger, HttpResponseInit, InvocationContext as Context } from '@azure/functions';
import type { ActivityFault, TriggerCall } from './worker-protocol.js';

// Node's ESM loader sees only some of this webpack-built CommonJS package's named exports.
const { HttpRequest, InvocationContext } = createRequire(import.meta.url)('@azure/functions') as typeof import('@azure/functions');

interface Binding extends Record<string, unknown> {
  name: string;
  type: string;
  direction: 'in' | 'out';
}
interface Registration {
  metadata: { name: string; bindings: Record<string, Binding> };
  handler: (trigger: unknown, context: Context) => unknown;
}
interface Registry {
  functions: Map<string, Registration>;
}

const [entry] = process.argv.slice(2);
if (entry === undefined) throw new Error('usage: worker-bridge <app entry module>');
await import(pathToFileURL(resolve(entry)).href);
const registry = (globalThis as { __mailmigWorkerRegistry?: Registry }).__mailmigWorkerRegistry;
if (registry === undefined || registry.functions.size === 0) {
  throw new Error('the app registered nothing: is the @azure/functions-core stand-in (worker-core) on NODE_PATH?');
}
const functions = registry.functions;

let clientData: unknown;
let faults: (ActivityFault & { remaining: number })[] = [];
const calls: Record<string, number> = {};
let invocations = 0;

function triggerOf(r: Registration): Binding {
  const t = Object.values(r.metadata.bindings).find((b) => b.direction === 'in' && /Trigger$/.test(b.type));
  if (t === undefined) throw new Error(`${r.metadata.name} has no trigger binding`);
  return t;
}

/** The context the worker builds: the function's bindings, the durable client as its extra input. */
function contextFor(r: Registration, triggerMetadata?: Record<string, unknown>): Context {
  invocations += 1;
  const trigger = triggerOf(r);
  const extraInputs = Object.values(r.metadata.bindings).filter((b) => b.direction === 'in' && b !== trigger);
  const context = new InvocationContext({
    functionName: r.metadata.name,
    invocationId: `lab-${process.pid}-${invocations}`,
    triggerMetadata,
    options: { trigger: trigger as FunctionTrigger, extraInputs: extraInputs as FunctionInput[], extraOutputs: [] },
    logHandler: (level, ...args) => {
      if (process.env.MAILMIG_WORKER_VERBOSE === '1') console.error(`[${r.metadata.name} ${level}]`, ...args);
    },
  });
  for (const input of extraInputs) {
    if (input.type === 'durableClient' && clientData !== undefined) context.extraInputs.set(input.name, clientData);
  }
  return context;
}

function registration(name: string): Registration {
  const r = functions.get(name);
  if (r === undefined) throw Object.assign(new Error(`no function '${name}' is registered`), { status: 404 });
  return r;
}

/** @azure/functions reads string typed data as JSON when it parses (fromRpcTypedData): so do we. */
function parseLoose(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function runActivity(name: string, body: string): Promise<{ result: unknown }> {
  const r = registration(name);
  calls[name] = (calls[name] ?? 0) + 1;
  const fault = faults.find((f) => f.activity === name && f.remaining > 0 && (f.inputContains === undefined || body.includes(f.inputContains)));
  if (fault !== undefined) fault.remaining -= 1;
  if (fault?.action === 'throw-before') throw new Error(fault.message ?? 'injected failure');
  if (fault?.action === 'return') return { result: fault.result ?? null };
  if (fault?.action === 'delay') await new Promise((r) => setTimeout(r, fault.delayMs ?? 0));
  const result = await r.handler(parseLoose(body), contextFor(r));
  // The work was done; the answer is "lost" on its way back to the host (a dropped connection).
  if (fault?.action === 'throw-after') throw new Error(fault.message ?? 'injected failure');
  return { result: result ?? null };
}

async function runTrigger(name: string, call: TriggerCall): Promise<unknown> {
  const r = registration(name);
  if (call.blob !== undefined) {
    const result = await r.handler(Buffer.from(call.blob.base64, 'base64'), contextFor(r, { name: call.blob.name }));
    return { result: result ?? null };
  }
  if (call.http !== undefined) {
    const h = call.http;
    const request = new HttpRequest({ method: h.method, url: h.url, params: h.params, query: h.query, headers: h.headers, body: h.body === undefined ? undefined : { string: h.body } });
    const response = (await r.handler(request, contextFor(r))) as HttpResponseInit;
    return { status: response.status ?? 200, jsonBody: response.jsonBody ?? null, body: typeof response.body === 'string' ? response.body : null };
  }
  throw Object.assign(new Error('a trigger call needs blob or http'), { status: 400 });
}

async function route(req: IncomingMessage, body: string): Promise<unknown> {
  const url = req.url ?? '';
  if (req.method === 'GET' && url === '/functions') {
    return [...functions.values()].map((r) => ({ name: r.metadata.name, trigger: triggerOf(r).type }));
  }
  if (req.method === 'GET' && url === '/calls') return calls;
  if (req.method === 'PUT' && url === '/durable-client') {
    clientData = JSON.parse(body) as unknown;
    return { ok: true };
  }
  if (req.method === 'PUT' && url === '/faults') {
    faults = (JSON.parse(body) as ActivityFault[]).map((f) => ({ ...f, remaining: f.count }));
    return { ok: true };
  }
  const m = /^\/(orchestration|activity|trigger)\/([^/?]+)$/.exec(url);
  if (req.method !== 'POST' || m === null) throw Object.assign(new Error(`no route ${req.method ?? ''} ${url}`), { status: 404 });
  const name = decodeURIComponent(m[2]!);
  if (m[1] === 'activity') return runActivity(name, body);
  if (m[1] === 'trigger') return runTrigger(name, JSON.parse(body) as TriggerCall);
  const r = registration(name);
  // An orchestration trigger gets the extension's context object, parsed once (as the worker does).
  return r.handler(JSON.parse(body) as unknown, contextFor(r));
}

function answer(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    route(req, Buffer.concat(chunks).toString('utf8')).then(
      (value) => answer(res, 200, value),
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        answer(res, (e as Error & { status?: number }).status ?? 500, { message: e.message, stack: e.stack ?? '' });
      },
    );
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address !== null && typeof address !== 'string') console.log(`listening on 127.0.0.1:${address.port}`);
});
