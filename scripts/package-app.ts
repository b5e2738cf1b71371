/**
 * `npm run package`: the deployable Functions app, built from the compiled dist/ without
 * touching the project's node_modules.
 *
 *   .package/app/                  the app as it runs: dist/functions, dist/shared, host.json,
 *                                  package.json and the production node_modules (azd deploys
 *                                  this folder: azure.yaml `dist`)
 *   .package/mailmig-functions.zip the same as one zip (az functionapp deployment source config-zip)
 *
 * Production dependencies are the package-lock.json entries not marked "dev", copied from the
 * installed node_modules (the lock says exactly which versions; no registry, no install), each
 * without its own nested node_modules, which the lock lists separately. A package the lock
 * needs but the install lacks fails the build, except optional ones (another platform's).
 *
 *   node dist/scripts/package-app.js [--out DIR]    (run `npm run build` first)
 */
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zip, type ZipEntry } from './package/zip.js';

/** The project folder: the nearest package.json above this file (scripts/ in the sources, dist/scripts/ built). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'host.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package-app: no project folder (package.json and host.json) above this script');
    dir = up;
  }
  return dir;
}

const root = projectRoot();

/** What the host loads: the app's code, not the CLI, tests, bench or scripts. */
const DIST_PARTS = ['dist/functions', 'dist/shared'];

interface LockEntry {
  dev?: boolean;
  optional?: boolean;
  link?: boolean;
}

export interface PackageResult {
  appDir: string;
  zipPath: string;
  zipBytes: number;
  files: number;
  packages: string[];
}

/** package-lock.json "packages" paths (node_modules/...) of the production dependencies. */
export function productionPackages(lockText: string): { required: string[]; optional: string[] } {
  const lock = JSON.parse(lockText) as { lockfileVersion?: number; packages?: Record<string, LockEntry> };
  if (!lock.packages || (lock.lockfileVersion ?? 0) < 2) throw new Error('package-lock.json: lockfileVersion 2 or later (with "packages") is needed');
  const required: string[] = [];
  const optional: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev || entry.link || !path.startsWith('node_modules/')) continue;
    (entry.optional ? optional : required).push(path);
  }
  return { required: required.sort(), optional: optional.sort() };
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, name.name);
    if (name.isDirectory()) out.push(...filesUnder(p));
    else if (name.isFile()) out.push(p);
  }
  return out;
}

export function packageApp(outDir = join(root, '.package')): PackageResult {
  for (const part of DIST_PARTS) {
    if (!existsSync(join(root, part))) throw new Error(`${part} is missing: run \`npm run build\` first`);
  }
  const appDir = join(outDir, 'app');
  rmSync(appDir, { recursive: true, force: true });
  mkdirSync(appDir, { recursive: true });

  // Source maps are left out: the host does not run Node with --enable-source-maps.
  for (const part of DIST_PARTS) cpSync(join(root, part), join(appDir, part), { recursive: true, filter: (src) => !src.endsWith('.map') });
  cpSync(join(root, 'host.json'), join(appDir, 'host.json'));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  const runtimePkg = { name: pkg.name, version: pkg.version, private: true, type: pkg.type, main: pkg.main, engines: pkg.engines, dependencies: pkg.dependencies };
  writeFileSync(join(appDir, 'package.json'), `${JSON.stringify(runtimePkg, null, 2)}\n`);

  const { required, optional } = productionPackages(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const packages: string[] = [];
  for (const path of [...required, ...optional]) {
    const src = join(root, path);
    if (!existsSync(src)) {
      if (optional.includes(path)) continue;
      throw new Error(`${path} is in package-lock.json but not installed: run \`npm ci\``);
    }
    const nested = join(src, 'node_modules');
    cpSync(src, join(appDir, path), { recursive: true, dereference: true, filter: (s) => s !== nested && !s.startsWith(nested + sep) });
    packages.push(path.slice('node_modules/'.length));
  }

  const files = filesUnder(appDir).sort();
  const entries: ZipEntry[] = files.map((f) => ({ name: relative(appDir, f).split(sep).join('/'), data: readFileSync(f), mode: statSync(f).mode }));
  const archive = zip(entries);
  const zipPath = join(outDir, 'mailmig-functions.zip');
  writeFileSync(zipPath, archive);
  chmodSync(zipPath, 0o644);
  return { appDir, zipPath, zipBytes: archive.length, files: files.length, packages };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const out = i >= 0 ? process.argv[i + 1] : undefined;
  const r = packageApp(out ? resolve(out) : undefined);
  const mb = (r.zipBytes / 1024 / 1024).toFixed(1);
  console.log(`package: ${relative(process.cwd(), r.zipPath)}: ${mb} MB, ${r.files} files, ${r.packages.length} production packages (app folder: ${relative(process.cwd(), r.appDir)})`);
}
