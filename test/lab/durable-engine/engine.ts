import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { hostClient } from '../../../functions/lib/df-client.js';
import type { DurableClientLike } from '../../../functions/lib/durable-client.js';
import type { LabInfo } from '../lab-info.js';
import { projectRoot } from '../paths.js';
import { spawnLabProcess, type LabProcess } from '../processes.js';
import type { ActivityFault, HttpAnswer, HubInventory, TriggerCall } from './worker-protocol.js';

/**
 * The real Durable Task engine in the lab: the .NET host in ./host (WebJobs SDK + the Durable
 * Functions extension, Azure Storage provider on the lab's Azurite) and the Node worker stand-in
 * (./worker-bridge.ts) running the built app, `dist/functions/index.js`, unchanged. Started per
 * test file with its own task hub; both processes are lab processes (own process group, listed
 * for the watchdog). See README.md beside this file.
 */

/** Where scripts/setup.sh builds the host. */
export function engineHostDll(): string {
  return join(projectRoot(), 'test/lab/durable-engine/host/bin/Debug/net10.0/MailmigDurableHost.dll');
}

/** Why the engine cannot run here, or undefined when it can. Only a missing .NET SDK is a reason to skip. */
export function engineUnavailable(): string | undefined {
  const probe = spawnSync('dotnet', ['--version'], { encoding: 'utf8' });
  if (probe.status === 0) return undefined;
  return 'the .NET SDK (dotnet) is not installed: the real Durable Task engine tests need it (see test/lab/durable-engine/README.md)';
}

export interface EngineOptions {
  /** The app settings the worker runs with (labSettings(info, …)): as on a Function App. */
  settings: Record<string, string>;
  /** Task hub; default a new one per start (`mm` + 12 hex digits). */
  hub?: string;
  /**
   * durableTask settings that replace host.json's (keys relative to the section, ':' between
   * levels). Always: `storageProvider:maxQueuePollingInterval` 1 s, else an idle engine takes up
   * to 30 s to see new work.
   */
  overrides?: Record<string, string>;
}

export interface DurableEngine {
  readonly hub: string;
  /** Runs a registered blob or HTTP trigger in the worker, with this engine's durable client. */
  trigger(name: string, call: TriggerCall): Promise<unknown>;
  /** Runs a registered HTTP trigger; the answer as the handler returned it. */
  http(name: string, request: NonNullable<TriggerCall['http']>): Promise<HttpAnswer>;
  /** The app's own client adapter (functions/lib/df-client.ts) bound to this engine. */
  client(): DurableClientLike;
  /** durable-functions' DurableClient bound to this engine. */
  durableClient(): df.DurableClient;
  setFaults(faults: ActivityFault[]): Promise<void>;
  activityCalls(): Promise<Record<string, number>>;
  /** SIGKILL to host and worker: a Function App instance that dies. */
  kill(): Promise<void>;
  /** Starts host and worker again on the same task hub. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** Every table entity, queued message and blob of this task hub (see host/HubInventory.cs). */
  inventory(): Promise<HubInventory>;
  /** The last output of both processes, for a failing test's message. */
  output(): string;
}

const ENGINE_START_MS = 120_000;

export async function startDurableEngine(info: LabInfo, opts: EngineOptions): Promise<DurableEngine> {
  const dll = engineHostDll();
  if (!existsSync(dll)) throw new Error(`${dll} is missing: run scripts/setup.sh (it restores and builds the engine host with dotnet)`);
  const root = projectRoot();
  const hub = opts.hub ?? `mm${randomBytes(6).toString('hex')}`;
  const dir = join(info.dir, 'durable', hub);
  await mkdir(dir, { recursive: true });
  const pidFile = join(info.dir, 'pids');
  let worker: LabProcess | undefined;
  let host: LabProcess | undefined;
  let workerUrl = '';
  let clientData: unknown;
  let starts = 0;

  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${workerUrl}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    const value = (await res.json()) as unknown;
    if (!res.ok) throw new Error(`worker ${method} ${path}: ${res.status} ${(value as { message?: string }).message ?? ''}`);
    return value;
  };

  const start = async (): Promise<void> => {
    starts += 1;
    worker = spawnLabProcess('durable-worker', process.execPath, [join(root, 'dist/test/lab/durable-engine/worker-bridge.js'), join(root, 'dist/functions/index.js')], {
      pidFile,
      cwd: root,
      env: { ...process.env, ...opts.settings, NODE_PATH: join(root, 'test/lab/durable-engine/worker-core'), DURABLE_TASK_HUB: hub, AzureWebJobsStorage: info.azurite.connectionString },
    });
    const port = await waitFor(() => /listening on 127\.0\.0\.1:(\d+)/.exec(worker!.output())?.[1], worker, 'the worker stand-in');
    workerUrl = `http://127.0.0.1:${port}`;
    const clientFile = join(dir, `client-${starts}.json`);
    host = spawnLabProcess('durable-engine', 'dotnet', [dll], {
      pidFile,
      cwd: dir,
      // The engine host needs no app secrets: storage, hub, and where its worker listens.
      env: {
        ...process.env,
        AzureWebJobsStorage: info.azurite.connectionString,
        DURABLE_TASK_HUB: hub,
        MAILMIG_ENGINE_WORKER_URL: workerUrl,
        MAILMIG_ENGINE_HOST_JSON: join(root, 'host.json'),
        MAILMIG_ENGINE_CLIENT_FILE: clientFile,
        MAILMIG_ENGINE_OVERRIDES: JSON.stringify({ 'storageProvider:maxQueuePollingInterval': '00:00:01', ...opts.overrides }),
      },
    });
    const text = await waitFor(async () => (existsSync(clientFile) ? await readFile(clientFile, 'utf8') : undefined), host, 'the engine host');
    clientData = JSON.parse(text) as unknown;
    await call('PUT', '/durable-client', clientData);
  };

  async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, proc: LabProcess | undefined, what: string): Promise<T> {
    const deadline = Date.now() + ENGINE_START_MS;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      const dead = proc?.exitReason();
      if (dead !== undefined || Date.now() > deadline) throw new Error(`${what} did not start (${dead ?? 'timeout'}):\n${proc?.output() ?? ''}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const stopBoth = async (graceMs: number): Promise<void> => {
    // The host first: it stops taking work and releases its partition leases while the worker still answers.
    await host?.stop(graceMs);
    await worker?.stop(graceMs);
  };

  const contextWithClient = (): InvocationContext => {
    const input = df.input.durableClient();
    const ctx = new InvocationContext({ functionName: 'lab', options: { trigger: { type: 'labTrigger', name: 'lab' }, extraInputs: [input], extraOutputs: [] } });
    ctx.extraInputs.set(input, clientData);
    return ctx;
  };

  try {
    await start();
  } catch (err) {
    await stopBoth(500);
    throw err;
  }

  return {
    hub,
    trigger: (name, c) => call('POST', `/trigger/${encodeURIComponent(name)}`, c),
    http: async (name, request) => (await call('POST', `/trigger/${encodeURIComponent(name)}`, { http: request })) as HttpAnswer,
    client: () => hostClient(contextWithClient()),
    durableClient: () => df.getClient(contextWithClient()),
    setFaults: async (faults) => {
      await call('PUT', '/faults', faults);
    },
    activityCalls: async () => (await call('GET', '/calls')) as Record<string, number>,
    kill: async () => {
      // Both at once, as when the instance they run on goes away.
      for (const p of [host, worker]) if (p !== undefined && p.exitReason() === undefined) process.kill(-p.pid, 'SIGKILL');
      await Promise.all([host?.exited, worker?.exited]);
    },
    restart: start,
    inventory: async () => {
      const out = join(dir, `inventory-${Date.now()}.json`);
      const r = spawnSync('dotnet', [dll, 'inventory', out], { encoding: 'utf8', env: { ...process.env, AzureWebJobsStorage: info.azurite.connectionString, DURABLE_TASK_HUB: hub } });
      if (r.status !== 0) throw new Error(`inventory of ${hub} failed: ${r.stderr}${r.stdout}`);
      return JSON.parse(await readFile(out, 'utf8')) as HubInventory;
    },
    stop: () => stopBoth(10_000),
    output: () => `--- engine host\n${host?.output() ?? ''}\n--- worker\n${worker?.output() ?? ''}`,
  };
}
