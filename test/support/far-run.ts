import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { startNode, type CliResult } from './run-cli.js';

/** The built far-run-child.js (npm run build first, as for the CLI's end-to-end tests). */
const CHILD = resolve('dist/test/support/far-run-child.js');

/** Starts one far batch in a process of its own (far-run-child.ts), with the test's environment (the lab's file and CA). */
export function startFarRun(spec: { addresses: string[]; stateDir: string; settings: Record<string, string> }): { child: ChildProcess; done: Promise<CliResult> } {
  return startNode([CHILD], { ...process.env, FAR_RUN_SPEC: JSON.stringify(spec) });
}
