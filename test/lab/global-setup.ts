import { existsSync, readFileSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startLab } from './lab.js';
import type { LabInfo } from './lab-info.js';
import { currentLabInfoPath } from './paths.js';

/**
 * vitest globalSetup: one lab per test run, started before the workers fork.
 *
 * Workers learn about it through two environment variables, set here in the main process and
 * inherited by every forked worker (vitest forks workers after globalSetup has run):
 *   MAILMIG_LAB_INFO     this run's LabInfo JSON (<lab>/lab-info.json), read by getLab();
 *   NODE_EXTRA_CA_CERTS  the lab CA, so TLS to Dovecot, the token endpoint and Key Vault is
 *                        verified normally in the workers (Node reads it at process start,
 *                        which is why it cannot help this main process itself).
 * `.lab/current.json` gets a copy for people and tools; the tests use the per-run file, so two
 * test runs in one tree do not read each other's lab.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const started = Date.now();
  const lab = await startLab();
  const infoPath = join(lab.info.dir, 'lab-info.json');
  const current = currentLabInfoPath();
  const tmp = `${current}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(lab.info, null, 2));
  await rename(tmp, current);
  process.env.MAILMIG_LAB_INFO = infoPath;
  process.env.NODE_EXTRA_CA_CERTS = await caBundle(lab.info);
  console.log(`[lab] up in ${Date.now() - started} ms: ${lab.info.dir}`);

  return async () => {
    await lab.stop();
    const published = await readFile(current, 'utf8').then((t) => JSON.parse(t) as LabInfo, () => undefined);
    if (published?.dir === lab.info.dir) await rm(current, { force: true });
  };
}

/** Our CA, plus whatever CA file the user already had in NODE_EXTRA_CA_CERTS (a corporate proxy CA). */
async function caBundle(info: LabInfo): Promise<string> {
  const existing = process.env.NODE_EXTRA_CA_CERTS;
  if (existing === undefined || existing === '' || !existsSync(existing)) return info.caPath;
  const bundle = join(info.dir, 'ca-bundle.pem');
  await writeFile(bundle, `${readFileSync(existing, 'utf8').trimEnd()}\n${readFileSync(info.caPath, 'utf8')}`);
  return bundle;
}
