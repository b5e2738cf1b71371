import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { passwordSecretName } from '../shared/domain/secrets/password-secret-name.js';
import { projectRoot } from '../test/lab/paths.js';

/**
 * `mailmig migrate` as the user runs it: the built CLI as a child process, a settings file,
 * a CSV, the file ledger in its own STATE_DIR. Both sides use password auth (PLAIN) against
 * the same servers mbsync uses, with the passwords in a LOCAL_SECRETS_FILE.
 */

export interface MailmigSide {
  port: number;
  /** Address -> password. */
  passwords: Map<string, string>;
}

export interface MailmigRun {
  dir: string;
  settingsPath: string;
  csvPath: string;
}

const TEMPLATE = 'bench-{mailbox}';

export function cliPath(): string {
  return join(projectRoot(), 'dist', 'bin', 'mailmig.js');
}

export function writeMailmigRun(dir: string, source: MailmigSide, destination: MailmigSide, pairs: [string, string][], extra: Record<string, string> = {}): MailmigRun {
  mkdirSync(dir, { recursive: true });
  const secrets: Record<string, string> = {};
  for (const side of [source, destination]) for (const [a, p] of side.passwords) secrets[passwordSecretName(TEMPLATE, a)] = p;
  const secretsPath = join(dir, 'secrets.json');
  writeFileSync(secretsPath, JSON.stringify(secrets), { mode: 0o600 });
  const side = (prefix: string, s: MailmigSide): Record<string, string> => ({
    [`${prefix}_IMAP_HOST`]: '127.0.0.1',
    [`${prefix}_IMAP_PORT`]: String(s.port),
    [`${prefix}_IMAP_TLS`]: 'implicit',
    [`${prefix}_AUTH`]: 'password',
    [`${prefix}_PASSWORD_SECRET_TEMPLATE`]: TEMPLATE,
  });
  const values = { ...side('SOURCE', source), ...side('DESTINATION', destination), LOCAL_SECRETS_FILE: secretsPath, STATE_DIR: join(dir, 'state'), ...extra };
  const settingsPath = join(dir, 'local.settings.json');
  writeFileSync(settingsPath, JSON.stringify({ IsEncrypted: false, Values: values }, null, 2));
  const csvPath = join(dir, 'batch.csv');
  writeFileSync(csvPath, `SourceEmail,DestinationEmail\n${pairs.map(([s, d]) => `${s},${d}`).join('\n')}\n`);
  return { dir, settingsPath, csvPath };
}

/**
 * BENCH_CPU_PROF=<dir> writes a V8 CPU profile of every mailmig run there (where its CPU time
 * goes); BENCH_NODE_FLAGS adds Node/V8 flags to every mailmig run (space-separated).
 */
export function mailmigJob(r: MailmigRun, concurrency: number): { command: string; args: string[] } {
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  return { command: process.execPath, args: [...flags, ...prof, cliPath(), 'migrate', '--csv', r.csvPath, '--settings', r.settingsPath, '--concurrency', String(concurrency)] };
}
