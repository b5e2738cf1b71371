import { loadSettings } from '../../shared/config/settings.js';
import { addressKey } from '../../shared/contracts/mailbox-pair.js';
import { createEngine, redactingLogger } from '../../shared/composition/create-engine.js';
import { terminalSafe } from '../../shared/domain/reports/terminal-text.js';
import { redact } from '../../shared/errors/redact.js';
import { loadCsv } from '../csv-input.js';
import { readCliSettings } from '../settings-file.js';
import { writeLogLine } from '../terminal-log.js';
import { UsageError } from '../usage-error.js';

export interface LoginOptions {
  csv: string;
  side: string;
  settings?: string;
}

/**
 * oauth2-delegated: each mailbox's owner consents once. One device code per mailbox, in CSV
 * order, printed with the sign-in URL and polled until the owner signs in or the code expires;
 * the grant (refresh token) is stored sealed, and the next mailbox follows. A mailbox whose
 * sign-in fails is reported and the others go on; exit 1 if any failed.
 */
export async function loginCommand(opts: LoginOptions, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  if (opts.side !== 'source' && opts.side !== 'destination') throw new UsageError('--side must be "source" or "destination"');
  const site = opts.side;
  const env = readCliSettings(opts.settings, process.env);
  const settings = loadSettings(env);
  const side = site === 'source' ? settings.source : settings.destination;
  if (side.auth !== 'oauth2-delegated') throw new UsageError(`${site.toUpperCase()}_AUTH is "${side.auth}": mailmig login is for oauth2-delegated`);
  const { rows } = await loadCsv(opts.csv);
  const seen = new Set<string>();
  const mailboxes = rows.map((r) => (site === 'source' ? r.sourceEmail : r.destinationEmail)).filter((m) => !seen.has(addressKey(m)) && seen.add(addressKey(m)));
  const engine = createEngine(settings, env, { log: redactingLogger(writeLogLine), state: 'file' });
  let failed = 0;
  try {
    for (const mailbox of mailboxes) {
      out(`${terminalSafe(mailbox)} (${site}):`);
      try {
        await engine.dialer.login(site, mailbox, (message) => out(`  ${terminalSafe(message)}`));
        out('  signed in: consent stored');
      } catch (e) {
        failed += 1;
        out(`  not signed in: ${terminalSafe(redact(e instanceof Error ? e.message : String(e)))}`);
      }
    }
  } finally {
    await engine.close();
  }
  out(`${mailboxes.length - failed} of ${mailboxes.length} mailboxes signed in`);
  return failed === 0 ? 0 : 1;
}
