import { writeFile } from 'node:fs/promises';
import { loadSettings, type Settings } from '../../shared/config/settings.js';
import {
  PrepareScriptInputError,
  renderAppRegistrationChecklist,
  renderDelegatedScript,
  renderGoogleScript,
  renderNonAppChecklist,
  renderPrepareScript,
  type NonAppPrepare,
} from '../../shared/domain/prepare/index.js';
import { UsageError } from '../usage-error.js';
import { loadCsv } from '../csv-input.js';
import { readCliSettings } from '../settings-file.js';

export interface PrepareOptions {
  csv: string;
  appId?: string;
  objectId?: string;
  side: 'source' | 'destination';
  organization?: string;
  out?: string;
  checklist?: string;
  /** The settings file: the side's AUTH decides what is written (app-only Exchange without it). */
  settings?: string;
}

/**
 * Writes what an admin runs and follows before a migration, for the side's way in (its AUTH in
 * the settings): app-only Exchange (service principal, FullAccess and IMAP per mailbox, and the
 * app registration checklist), delegated sign-in (token-cache key, IMAP per mailbox in Exchange
 * Online, and the consent checklist), or a Google Workspace service account (key into Key Vault,
 * the delegation's client id and scope). Every value is validated and single-quoted.
 */
export async function prepareCommand(opts: PrepareOptions): Promise<number> {
  const { rows } = await loadCsv(opts.csv);
  const mailboxes = rows.map((r) => (opts.side === 'source' ? r.sourceEmail : r.destinationEmail));
  const settings = opts.settings === undefined ? undefined : loadSettings(readCliSettings(opts.settings, process.env));
  const other = settings ? nonAppPrepare(settings, opts.side) : undefined;
  let script: string;
  let checklist: string | undefined;
  try {
    if (other) {
      script = other.auth === 'oauth2-delegated' ? renderDelegatedScript(other, mailboxes, opts.organization) : renderGoogleScript(other, mailboxes);
      checklist = renderNonAppChecklist(other, mailboxes);
    } else {
      if (settings && settings[opts.side].auth === 'password') throw new UsageError(`${opts.side.toUpperCase()}_AUTH is password: nothing to prepare but one Key Vault secret per mailbox, named by ${opts.side.toUpperCase()}_PASSWORD_SECRET_TEMPLATE`);
      const appId = opts.appId ?? settings?.[opts.side].clientId;
      if (appId === undefined || opts.objectId === undefined) throw new UsageError('app-only Exchange (oauth2-app) needs --app-id (or the side\'s CLIENT_ID in --settings) and --object-id');
      script = renderPrepareScript({ appId, objectId: opts.objectId, mailboxes, ...(opts.organization ? { organization: opts.organization } : {}) });
      checklist = renderAppRegistrationChecklist({ appId });
    }
  } catch (e) {
    if (e instanceof PrepareScriptInputError) {
      throw new UsageError(`cannot write the script; nothing was written:\n${e.problems.map((p) => `  ${p.field} ${JSON.stringify(p.value)}: ${p.reason}`).join('\n')}`);
    }
    throw e;
  }
  if (opts.out) await writeFile(opts.out, script);
  else process.stdout.write(script);
  if (opts.checklist) await writeFile(opts.checklist, checklist);
  if (opts.out) process.stderr.write(`wrote ${opts.out} for ${mailboxes.length} mailboxes; ${runHint(other)}\n`);
  return 0;
}

function runHint(p: NonAppPrepare | undefined): string {
  if (!p) return 'run it in PowerShell after Connect-ExchangeOnline can sign you in';
  if (p.auth === 'google-service-account') return 'run it in PowerShell with -KeyFile <the service account\'s JSON key> (Connect-AzAccount first)';
  return 'run it in PowerShell (Connect-AzAccount first), then have each owner sign in (see --checklist)';
}

/** The side's settings as `mailmig prepare` needs them, for the ways in other than app-only. */
function nonAppPrepare(settings: Settings, side: 'source' | 'destination'): NonAppPrepare | undefined {
  const s = settings[side];
  const vault = settings.keyVaultUrl ? keyVaultName(settings.keyVaultUrl) : undefined;
  const keyVault = vault === undefined ? {} : { keyVaultName: vault };
  if (s.auth === 'oauth2-delegated') {
    const origin = settings.dashboardUrl && /^https?:\/\//.test(settings.dashboardUrl) ? new URL(settings.dashboardUrl).origin : undefined;
    return {
      auth: 'oauth2-delegated',
      side,
      ...(s.clientId ? { clientId: s.clientId } : {}),
      ...(s.tenantId ? { tenantId: s.tenantId } : {}),
      ...(settings.tokenCacheKeyName ? { tokenCacheKeyName: settings.tokenCacheKeyName } : {}),
      ...keyVault,
      ...(origin ? { appOrigin: origin } : {}),
      exchangeOnline: s.serverKind === 'exchange',
    };
  }
  if (s.auth === 'google-service-account') {
    return {
      auth: 'google-service-account',
      side,
      ...(s.serviceAccountKeyName ? { serviceAccountKeyName: s.serviceAccountKeyName } : {}),
      tokenScope: s.tokenScope,
      ...keyVault,
      ...(settings.allMailArchiveFolder ? { archiveFolder: settings.allMailArchiveFolder } : {}),
    };
  }
  return undefined;
}

/** The vault's name, from an Azure Key Vault URL (https://NAME.vault.azure.net); undefined for another host (a local stand-in). */
function keyVaultName(url: string): string | undefined {
  const host = new URL(url).hostname;
  const m = /^([^.]+)\.vault\./i.exec(host);
  return m?.[1];
}
