/**
 * `npm run package` (scripts/package-app.ts): the deployable zip holds the app's compiled code,
 * host.json, package.json and the production node_modules of package-lock.json, nothing else;
 * and the packaged app, alone, registers every function. Needs `npm run build`. Packs about
 * 15,000 files: 20-50 s on a busy 2-core machine.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageApp, productionPackages, type PackageResult } from '../../scripts/package-app.js';
import { ACTIVITIES, ORCHESTRATORS, TRIGGERS } from '../../shared/contracts/functions.js';
import { repoRoot } from '../infra/stacks.js';
import { registerFunctions } from '../support/register-functions.js';
import { VALID_SETTINGS } from '../support/valid-settings.js';
import { zipEntries, type ZipEntryInfo } from '../support/zip-entries.js';

const MB = 1024 * 1024;
/** Far above today's ~22 MB: a jump past it means dev dependencies or other files crept in. */
const MAX_ZIP_MB = 40;

let out: string;
let result: PackageResult;
let entries: ZipEntryInfo[];
const lock = readFileSync(join(repoRoot, 'package-lock.json'), 'utf8');

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'mailmig-package-'));
  result = packageApp(out);
  entries = zipEntries(readFileSync(result.zipPath));
  console.log(`npm run package: ${(result.zipBytes / MB).toFixed(1)} MB zip, ${result.files} files, ${result.packages.length} production packages`);
}, 180_000);

afterAll(() => rmSync(out, { recursive: true, force: true }), 60_000);

/** Top-level package folder of a node_modules path: "@scope/name" or "name". */
const packageOf = (name: string): string => {
  const parts = name.slice('node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : parts[0] ?? '';
};

describe('npm run package', () => {
  it(`makes a zip under ${MAX_ZIP_MB} MB holding every file of the app folder`, () => {
    expect(result.zipBytes).toBeLessThan(MAX_ZIP_MB * MB);
    expect(entries.length).toBe(result.files);
    const host = entries.find((e) => e.name === 'host.json');
    expect(host?.read().equals(readFileSync(join(repoRoot, 'host.json')))).toBe(true);
  });

  it('holds dist/functions, dist/shared, host.json, package.json and node_modules, nothing else', () => {
    const outside = entries.map((e) => e.name).filter((n) => !/^(dist\/functions\/|dist\/shared\/|node_modules\/)/.test(n) && n !== 'host.json' && n !== 'package.json');
    expect(outside).toEqual([]);
    expect(entries.some((e) => e.name === 'dist/functions/index.js')).toBe(true);
    // Our own code ships compiled, without source maps or sources.
    expect(entries.map((e) => e.name).filter((n) => n.startsWith('dist/') && (n.endsWith('.map') || n.endsWith('.ts')))).toEqual([]);
  });

  it('ships the production dependencies of package-lock.json and no dev dependency', () => {
    const { required } = productionPackages(lock);
    const shipped = new Set(entries.filter((e) => e.name.startsWith('node_modules/')).map((e) => packageOf(e.name)));
    const topLevel = required.filter((p) => !p.slice('node_modules/'.length).includes('/node_modules/')).map((p) => p.slice('node_modules/'.length));
    expect(topLevel.filter((p) => !shipped.has(p))).toEqual([]);
    const dev = Object.keys((JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies);
    expect(dev.filter((d) => shipped.has(d))).toEqual([]);
    const devOnly = Object.entries((JSON.parse(lock) as { packages: Record<string, { dev?: boolean }> }).packages)
      .filter(([p, e]) => e.dev && !p.slice('node_modules/'.length).includes('/node_modules/')).map(([p]) => p.slice('node_modules/'.length));
    expect(devOnly.filter((d) => shipped.has(d))).toEqual([]);
    expect(shipped.has('durable-functions')).toBe(true);
  });

  it('the packaged app, with only its own node_modules, registers every function', async () => {
    const { registrations } = await registerFunctions(join(result.appDir, 'dist', 'functions', 'index.js'), { ...VALID_SETTINGS }, result.appDir);
    const expected = [...Object.values(ORCHESTRATORS), ...Object.values(ACTIVITIES), ...Object.values(TRIGGERS)].sort();
    expect(registrations.map((r) => r.name).sort()).toEqual(expected);
  }, 60_000);

  it('package.json points the host at the packaged entry point', () => {
    const pkg = JSON.parse(readFileSync(join(result.appDir, 'package.json'), 'utf8')) as { main: string; type: string; devDependencies?: unknown };
    expect(pkg.main).toBe('dist/functions/index.js');
    expect(pkg.type).toBe('module');
    expect(pkg.devDependencies).toBeUndefined();
  });
});

describe('deploying the package', () => {
  it('azd deploys the packaged folder, built by the prepackage hook', () => {
    const azureYaml = readFileSync(join(repoRoot, 'azure.yaml'), 'utf8');
    expect(azureYaml).toMatch(/^ {4}dist: \.package\/app$/m);
    expect(azureYaml).toMatch(/run: npm ci && npm run build && npm run package$/m);
  });

  it('.funcignore keeps node_modules (with dev dependencies) out of a Core Tools publish, and keeps what a remote build needs', () => {
    const lines = readFileSync(join(repoRoot, '.funcignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(lines).toContain('node_modules/');
    for (const kept of ['*.ts', 'tsconfig.json', 'package-lock.json', 'rolldown.config.mjs', 'shared/', 'functions/']) expect(lines, kept).not.toContain(kept);
  });
});
