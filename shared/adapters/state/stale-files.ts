import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from './process-alive.js';

/** A temporary file is older than this only when its writer died before it renamed or removed it. */
const STALE_TMP_MS = 10 * 60_000;

/**
 * Removes temporary files left by a process that died before its rename: those of a pid that is
 * gone (same host), or old. Another live process's file is left alone (it is about to rename it).
 * `pattern` picks the files and captures the writer's pid.
 */
export async function sweepTemporaryFiles(dir: string, pattern: RegExp): Promise<void> {
  const names = await readdir(dir).catch((): string[] => []);
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid) continue;
    const p = join(dir, name);
    const old = async (): Promise<boolean> => Date.now() - (await stat(p)).mtimeMs > STALE_TMP_MS;
    if ((Number.isInteger(pid) && !isAlive(pid)) || (await old().catch(() => false))) await rm(p, { force: true }).catch(() => undefined);
  }
}
