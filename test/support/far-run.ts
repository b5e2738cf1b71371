import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { CliResult } from './run-cli.js';

/** The built far-run-child.js (npm run build first, as for the CLI's end-to-end tests). */
const CHILD = resolve('dist/test/support/far-run-child.js');

/** Starts one far batch in a process of its own (far-run-child.ts), with the test's environment (the lab's file and CA). */
export function startFarRun(spec: { addresses: string[]; stateDir: string; settings: Record<string, string> }): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CHILD], { env: { ...process.env, FAR_RUN_SPEC: JSON.stringify(spec) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((res) => child.on('close', (code) => res({ code, stdout, stderr })));
  return { child, done };
}
