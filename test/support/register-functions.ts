import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Binding {
  type: string;
  direction: string;
  [key: string]: unknown;
}

export interface Registration {
  name: string;
  bindings: Record<string, Binding>;
}

const standin = new URL('./functions-core-standin.mjs', import.meta.url).href;

/**
 * Imports a Functions app entry point in a fresh Node process with only `env` (and PATH), the
 * worker's `@azure/functions-core` answered by test/support/functions-core-standin.mjs, and
 * returns every function it registered and what it wrote to stderr.
 */
export async function registerFunctions(entry: string, env: Record<string, string>, cwd?: string): Promise<{ registrations: Registration[]; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'mailmig-registrations-'));
  try {
    const record = join(dir, 'registrations.json');
    const { stderr } = await run(process.execPath, ['--import', standin, '--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(entry).href)})`], {
      cwd: cwd ?? dir,
      env: { PATH: process.env.PATH ?? '', ...env, FUNCTIONS_CORE_RECORD: record },
      timeout: 60_000,
    });
    return { registrations: JSON.parse(readFileSync(record, 'utf8')) as Registration[], stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
