import { addressKey } from '../../contracts/mailbox-pair.js';
import { emailAddressProblem } from '../csv/email-address.js';
import { unsafeScriptCharacters } from './powershell-literal.js';

export interface PrepareScriptOptions {
  /** Application (client) id of the App Registration. */
  appId: string;
  /** Object id of the app's Enterprise Application (service principal), not of the App Registration. */
  objectId: string;
  /** Mailbox addresses to enable for IMAP and grant FullAccess on. */
  mailboxes: readonly string[];
  /** Primary `.onmicrosoft.com` domain, passed to Connect-ExchangeOnline -Organization. */
  organization?: string;
}

export interface PrepareInputProblem {
  field: 'appId' | 'objectId' | 'organization' | 'mailboxes' | 'tenant' | 'secretName' | 'keyVault' | 'scope' | 'appOrigin';
  /** The rejected value (for mailboxes: the address). */
  value: string;
  reason: string;
}

/** Every problem of the input at once, so one run tells the admin everything to fix. */
export class PrepareScriptInputError extends Error {
  readonly problems: readonly PrepareInputProblem[];

  constructor(problems: readonly PrepareInputProblem[]) {
    const lines = problems.map((p) => `  ${p.field} ${JSON.stringify(p.value)}: ${p.reason}`);
    super(`cannot render the prepare script:\n${lines.join('\n')}`);
    this.name = 'PrepareScriptInputError';
    this.problems = problems;
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DNS_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** The mailboxes to emit (first spelling of each address kept), or throws PrepareScriptInputError. */
export function validatePrepareInput(options: PrepareScriptOptions): string[] {
  const problems: PrepareInputProblem[] = [];
  for (const field of ['appId', 'objectId'] as const) {
    const value = options[field];
    if (typeof value !== 'string' || !GUID.test(value)) {
      problems.push({ field, value: String(value), reason: 'must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)' });
    }
  }
  if (options.organization !== undefined && !DNS_NAME.test(options.organization)) {
    problems.push({ field: 'organization', value: options.organization, reason: 'must be a domain name such as contoso.onmicrosoft.com' });
  }
  const mailboxes = validateMailboxes(options.mailboxes, problems);
  if (problems.length > 0) throw new PrepareScriptInputError(problems);
  return mailboxes;
}

/** The addresses fit for a script (first spelling of each kept); a problem added per other one, and for none at all. */
export function validateMailboxes(addresses: readonly string[], problems: PrepareInputProblem[]): string[] {
  if (addresses.length === 0) problems.push({ field: 'mailboxes', value: '', reason: 'at least one mailbox is required' });
  const seen = new Set<string>();
  const mailboxes: string[] = [];
  for (const address of addresses) {
    const reason = mailboxProblem(address);
    if (reason !== undefined) {
      problems.push({ field: 'mailboxes', value: address, reason });
    } else if (!seen.has(addressKey(address))) {
      seen.add(addressKey(address));
      mailboxes.push(address);
    }
  }
  return mailboxes;
}

function mailboxProblem(address: string): string | undefined {
  if (typeof address !== 'string') return 'is not a string';
  const invalid = emailAddressProblem(address);
  if (invalid !== undefined) return `is not a valid address: it ${invalid}`;
  const unsafe = unsafeScriptCharacters(address);
  if (unsafe.length > 0) {
    const listed = unsafe.map((char) => JSON.stringify(char)).join(', ');
    return `contains ${listed}, which PowerShell could expand; grant this mailbox by hand`;
  }
  return undefined;
}
