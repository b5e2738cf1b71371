import { writeFile } from 'node:fs/promises';
import { PrepareScriptInputError, renderAppRegistrationChecklist, renderPrepareScript } from '../../shared/domain/prepare/index.js';
import { UsageError } from '../usage-error.js';
import { loadCsv } from '../csv-input.js';

export interface PrepareOptions {
  csv: string;
  appId: string;
  objectId: string;
  side: 'source' | 'destination';
  organization?: string;
  out?: string;
  checklist?: string;
}

/**
 * Writes the PowerShell an Exchange admin runs before a migration (service principal, FullAccess
 * and IMAP per mailbox, then a verification table), and optionally the app registration
 * checklist. Every address is validated and single-quoted; anything else is refused.
 */
export async function prepareCommand(opts: PrepareOptions): Promise<number> {
  const { rows } = await loadCsv(opts.csv);
  const mailboxes = rows.map((r) => (opts.side === 'source' ? r.sourceEmail : r.destinationEmail));
  let script: string;
  try {
    script = renderPrepareScript({ appId: opts.appId, objectId: opts.objectId, mailboxes, ...(opts.organization ? { organization: opts.organization } : {}) });
  } catch (e) {
    if (e instanceof PrepareScriptInputError) {
      throw new UsageError(`cannot write the script; nothing was written:\n${e.problems.map((p) => `  ${p.field} ${JSON.stringify(p.value)}: ${p.reason}`).join('\n')}`);
    }
    throw e;
  }
  if (opts.out) await writeFile(opts.out, script);
  else process.stdout.write(script);
  if (opts.checklist) await writeFile(opts.checklist, renderAppRegistrationChecklist({ appId: opts.appId }));
  if (opts.out) process.stderr.write(`wrote ${opts.out} for ${mailboxes.length} mailboxes; run it in PowerShell after Connect-ExchangeOnline can sign you in\n`);
  return 0;
}
