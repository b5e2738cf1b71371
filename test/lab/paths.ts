import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project root: the nearest ancestor holding mailmig's package.json. Walking up (instead of a
 * fixed `../..`) keeps this right both from test/lab/*.ts and from the compiled dist/test/lab/*.js
 * that `npm run bench` runs.
 */
export function projectRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'mailmig') return dir;
    if (dirname(dir) === dir) throw new Error(`mailmig package.json not found above ${here}`);
  }
}

/** `.lab/` under the project root: git-ignored home of every lab directory and the shared CA. */
export function labHome(): string {
  return join(projectRoot(), '.lab');
}

/** Where global-setup publishes the running lab for humans and tools (see lab-info.ts). */
export function currentLabInfoPath(): string {
  return join(labHome(), 'current.json');
}
