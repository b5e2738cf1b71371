/**
 * The README's install story on a clean prefix: `npm pack` the project, `npm install -g` the
 * tarball into a temporary prefix, and the `mailmig` on that prefix's PATH answers `--help`.
 * Dependencies come from the npm cache when it has them (--prefer-offline), else the registry.
 * Needs `npm run build`. About 25-40 s (the install).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../infra/stacks.js';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let dir: string;
let prefix: string;
let tarball: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailmig-install-'));
  prefix = join(dir, 'prefix');
  const { stdout } = await run(npm, ['pack', '--pack-destination', dir, '--silent'], { cwd: repoRoot, timeout: 120_000 });
  tarball = join(dir, stdout.trim().split('\n').pop() ?? '');
  await run(npm, ['install', '--global', '--prefix', prefix, tarball, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, timeout: 240_000 });
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }), 60_000);

describe('installing the command line (README: Install the command line)', () => {
  it('the build leaves dist/bin/mailmig.js executable, so `npx mailmig` runs it', () => {
    expect(statSync(join(repoRoot, 'dist', 'bin', 'mailmig.js')).mode & 0o111).not.toBe(0);
  });

  it('`npm install -g` of the packed tarball puts a `mailmig` on the PATH that answers --help', async () => {
    const bin = process.platform === 'win32' ? prefix : join(prefix, 'bin');
    const { stdout } = await run('mailmig', ['--help'], { env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` }, cwd: dir, timeout: 30_000 });
    expect(stdout).toMatch(/^Usage: mailmig /m);
    for (const command of ['migrate', 'preflight', 'verify']) expect(stdout).toContain(command);
  });

  it('the tarball ships the bundled command, not the sources, tests or infrastructure', async () => {
    const { stdout } = await run('tar', ['tzf', tarball]);
    const files = stdout.trim().split('\n');
    expect(files).toContain('package/dist/bin/mailmig.js');
    expect(files.filter((f) => /^package\/(test|infra|shared|cli|functions|scripts|bench)\//.test(f) || f.endsWith('.ts'))).toEqual([]);
  });
});
