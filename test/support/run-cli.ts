import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const CLI = resolve('dist/bin/mailmig.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh work dir with a settings file (local.settings.json shape) and a CSV. */
export function workDir(settings: Record<string, string>, csv: string): { dir: string; settingsPath: string; csvPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mailmig-e2e-'));
  const settingsPath = join(dir, 'local.settings.json');
  const csvPath = join(dir, 'batch.csv');
  writeFileSync(settingsPath, JSON.stringify({ IsEncrypted: false, Values: { STATE_DIR: join(dir, 'state'), ...settings } }, null, 2));
  writeFileSync(csvPath, csv);
  return { dir, settingsPath, csvPath };
}

/** Runs the built `mailmig` as a whole process, as a user would; the environment carries no settings. */
export function startCli(args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const clean: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'NODE_EXTRA_CA_CERTS', 'TMPDIR']) if (process.env[k]) clean[k] = process.env[k]!;
  return startNode([CLI, ...args], { ...clean, ...env });
}

/** Runs a built script with node as a process of its own, its output collected. */
export function startNode(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((res) => child.on('close', (code) => res({ code, stdout, stderr })));
  return { child, done };
}

export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(args, env).done;
}
