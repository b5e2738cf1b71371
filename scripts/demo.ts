/**
 * `npm run demo`: the main job on local defaults. Starts the real local stand-ins (an
 * Exchange-like Dovecot with XOAUTH2 only, a second Dovecot, a local Entra token endpoint, a
 * local Key Vault, Azurite), seeds three mailboxes, runs `mailmig migrate` and `mailmig verify`
 * as a user would, prints where the reports are, and stops everything.
 *
 * The parent process owns the lab; a child process (trusting the lab's CA through
 * NODE_EXTRA_CA_CERTS, which Node reads only at start-up) seeds and runs the CLI.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLab } from '../test/lab/lab.js';
import { getLab, labSettings } from '../test/lab/lab-info.js';
import { addMailbox } from '../test/lab/mailboxes.js';
import { seedMailbox } from '../test/lab/seed.js';
import { standardCorpus } from '../test/lab/corpus.js';

const here = fileURLToPath(import.meta.url);
const cli = resolve(here, '../../bin/mailmig.js');
const work = resolve('.mailmig-demo');

function run(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((res) => spawn(process.execPath, args, { env, stdio: 'inherit' }).on('close', (code) => res(code ?? 1)));
}

async function child(): Promise<number> {
  const lab = getLab();
  const mailboxes = ['adele.vance@contoso.example', 'megan.bowen@contoso.example', 'lynne.robbins@contoso.example'];
  for (const m of mailboxes) {
    await addMailbox(lab, 'source', m);
    await addMailbox(lab, 'destination', m);
  }
  for (const m of mailboxes) await seedMailbox(lab, 'source', m, standardCorpus());
  // Every demo starts from scratch: a new lab has new mailboxes, so the old ledger means nothing.
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const settings = join(work, 'local.settings.json');
  const csv = join(work, 'mailboxes.csv');
  writeFileSync(settings, JSON.stringify({ IsEncrypted: false, Values: labSettings(lab, { STORAGE_CONNECTION_STRING: '', STATE_DIR: join(work, 'state') }) }, null, 2));
  writeFileSync(csv, `Email\r\n${mailboxes.join('\r\n')}\r\n`);
  process.stdout.write(`\nDemo lab is up; 3 mailboxes seeded at the Exchange-like source. Running:\n  mailmig migrate --csv ${csv} --settings ${settings}\n\n`);
  const migrated = await run([cli, 'migrate', '--csv', csv, '--settings', settings], process.env);
  process.stdout.write(`\nThen: mailmig verify --csv ${csv} --settings ${settings}\n\n`);
  const verified = await run([cli, 'verify', '--csv', csv, '--settings', settings], process.env);
  process.stdout.write(`\n(The one message in each INBOX over the destination's 2 MB limit is skipped and reported, by design.)\n`);
  return migrated !== 0 ? migrated : verified;
}

async function parent(): Promise<number> {
  const lab = await startLab();
  try {
    return await run([here], { ...process.env, MAILMIG_DEMO_CHILD: '1', MAILMIG_LAB_INFO: join(lab.info.dir, 'lab-info.json'), NODE_EXTRA_CA_CERTS: lab.info.caPath });
  } finally {
    await lab.stop();
  }
}

process.exitCode = await (process.env.MAILMIG_DEMO_CHILD ? child() : parent());
