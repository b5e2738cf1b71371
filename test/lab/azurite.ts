import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { LabInfo } from './lab-info.js';
import { spawnLabProcess, type LabProcess } from './processes.js';

/** Azurite (Blob, Queue, Table) from the project's devDependencies, on 127.0.0.1. */

/** Azurite's documented development account; the key is public and the same everywhere. */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  location: string;
  pidFile: string;
}

type Ports = { blob: number; queue: number; table: number };

export interface AzuriteInstance {
  info: LabInfo['azurite'];
  process: LabProcess;
}

export function azuriteConnectionString(ports: Ports): string {
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

const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/127\.0\.0\.1:(\d+)/g;

/**
 * Port 0 for all three services: the kernel picks free ports at bind time (no race with other
 * processes), and Azurite prints the ports it got, even with --silent.
 */
export async function startAzurite(o: AzuriteOptions): Promise<AzuriteInstance> {
  await mkdir(o.location, { recursive: true });
  // Started with this Node (not through the .bin shell wrapper) so the pid is Azurite's own.
  const proc = spawnLabProcess('azurite', process.execPath, [
    azuriteScript(),
    '--silent', '--disableTelemetry', '--skipApiVersionCheck',
    '--location', o.location,
    '--blobHost', '127.0.0.1', '--blobPort', '0',
    '--queueHost', '127.0.0.1', '--queuePort', '0',
    '--tableHost', '127.0.0.1', '--tablePort', '0',
  ], { pidFile: o.pidFile, cwd: o.location });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = new Map([...proc.output().matchAll(LISTENING)].map((m) => [m[1]!.toLowerCase(), Number(m[2])]));
    if (found.size === 3) {
      const ports: Ports = { blob: found.get('blob')!, queue: found.get('queue')!, table: found.get('table')! };
      return {
        process: proc,
        info: { blobPort: ports.blob, queuePort: ports.queue, tablePort: ports.table, connectionString: azuriteConnectionString(ports), location: o.location },
      };
    }
    const dead = proc.exitReason();
    if (dead !== undefined || Date.now() > deadline) {
      await proc.stop(500);
      throw new Error(`Azurite did not come up (${dead ?? 'timeout'}):\n${proc.output()}`);
    }
    await new Promise((r) => setTimeout(r, 15));
  }
}
