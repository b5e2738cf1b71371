import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { LabInfo } from './lab-info.js';
import { waitForPort } from './ports.js';
import { spawnLabProcess, type LabProcess } from './processes.js';

/** Azurite (Blob, Queue, Table) from the project's devDependencies, on 127.0.0.1. */

/** Azurite's documented development account; the key is public and the same everywhere. */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  location: string;
  ports: { blob: number; queue: number; table: number };
  pidFile: string;
}

export interface AzuriteInstance {
  info: LabInfo['azurite'];
  process: LabProcess;
}

export function azuriteConnectionString(ports: AzuriteOptions['ports']): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${ACCOUNT}`,
    `AccountKey=${ACCOUNT_KEY}`,
    `BlobEndpoint=http://127.0.0.1:${ports.blob}/${ACCOUNT}`,
    `QueueEndpoint=http://127.0.0.1:${ports.queue}/${ACCOUNT}`,
    `TableEndpoint=http://127.0.0.1:${ports.table}/${ACCOUNT}`,
  ].join(';');
}

function azuriteScript(): string {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('azurite/package.json');
  const pkg = require(pkgPath) as { bin: Record<string, string> };
  return join(dirname(pkgPath), pkg.bin.azurite ?? 'dist/src/azurite.js');
}

export async function startAzurite(o: AzuriteOptions): Promise<AzuriteInstance> {
  await mkdir(o.location, { recursive: true });
  const p = o.ports;
  // Started with this Node (not through the .bin shell wrapper) so the pid is Azurite's own.
  const proc = spawnLabProcess('azurite', process.execPath, [
    azuriteScript(),
    '--silent', '--disableTelemetry', '--skipApiVersionCheck',
    '--location', o.location,
    '--blobHost', '127.0.0.1', '--blobPort', String(p.blob),
    '--queueHost', '127.0.0.1', '--queuePort', String(p.queue),
    '--tableHost', '127.0.0.1', '--tablePort', String(p.table),
  ], { pidFile: o.pidFile, cwd: o.location });
  const why = (): string | undefined => {
    const r = proc.exitReason();
    return r === undefined ? undefined : `azurite exited: ${r}\n${proc.output()}`;
  };
  try {
    for (const port of [p.blob, p.queue, p.table]) await waitForPort(port, 20_000, why);
  } catch (err) {
    await proc.stop(500);
    throw new Error(`Azurite did not come up: ${(err as Error).message}\n${proc.output()}`);
  }
  return {
    process: proc,
    info: { blobPort: p.blob, queuePort: p.queue, tablePort: p.table, connectionString: azuriteConnectionString(p), location: o.location },
  };
}
