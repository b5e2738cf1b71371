import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImapServerName, LabInfo } from './lab-info.js';

/**
 * The mailboxes a lab IMAP server knows. Each is a few small JSON files read by Dovecot's dict
 * passdb/userdb on every login (ImapServerInfo.mailboxesDir):
 *   passdb/<address>    the grant the lab app needs to open the mailbox. Leaving it out is what
 *                       a missing FullAccess grant looks like: valid token, NO at login.
 *   userdb/<address>    per-mailbox settings (quota_rule).
 *   password/<address>  PLAIN/LOGIN password (destination only).
 *
 * Why files and not one passwd-file: Dovecot re-reads a passwd-file at most once per second
 * (passwd_file_sync() skips the stat when it already synced in the current ioloop second), so a
 * login right after an edit could still see the old list. One file per mailbox is also safe
 * without a lock when test files in several workers add mailboxes at once: every write goes to a
 * unique temp file that is renamed into place, atomically.
 */

export interface MailboxOptions {
  /** PLAIN/LOGIN password (destination only). */
  password?: string;
  /** Per-mailbox storage quota in bytes (Dovecot quota_rule), for over-quota tests. */
  quotaBytes?: number;
}

/** Dovecot lower-cases the login name (auth_username_format = %Lu) before the lookup. */
function fileName(address: string): string {
  const a = address.trim().toLowerCase();
  if (!/^[a-z0-9_+-][a-z0-9._+-]*@[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(a)) throw new Error(`not a lab mailbox address: ${JSON.stringify(address)}`);
  return a;
}

/** Writes JSON without a trailing newline (Dovecot's dict JSON parser logs an empty error for one). */
async function put(dir: string, name: string, value: Record<string, string>): Promise<void> {
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(tmp, JSON.stringify(value));
  await rename(tmp, join(dir, name));
}

export async function addMailbox(info: LabInfo, server: ImapServerName, address: string, opts: MailboxOptions = {}): Promise<void> {
  const s = info.imap[server];
  const name = fileName(address);
  if (opts.password !== undefined && !s.passwordLogin) throw new Error(`the ${server} server offers no password login (XOAUTH2 only, like Exchange)`);
  if (opts.quotaBytes !== undefined && !s.quota) throw new Error(`the ${server} server has no quota plugin (start the lab with sourceMaxMailSizeBytes to load it)`);
  const userdb: Record<string, string> = opts.quotaBytes !== undefined ? { quota_rule: `*:storage=${Math.max(1, Math.floor(opts.quotaBytes))}B` } : {};
  // Settings before the grant: a login that races this call sees the mailbox complete or not at all.
  await put(join(s.mailboxesDir, 'userdb'), name, userdb);
  if (opts.password !== undefined) await put(join(s.mailboxesDir, 'password'), name, { password: `{PLAIN}${opts.password}`, nodelay: 'yes' });
  else await rm(join(s.mailboxesDir, 'password', name), { force: true });
  // nopassword: the oauth2 passdb does the real check; nodelay: a failure answers at once.
  await put(join(s.mailboxesDir, 'passdb'), name, { nopassword: 'y', nodelay: 'yes' });
}

/** Takes the grant away (mail stays on disk): the next login gets a NO. */
export async function removeMailbox(info: LabInfo, server: ImapServerName, address: string): Promise<void> {
  const s = info.imap[server];
  const name = fileName(address);
  await rm(join(s.mailboxesDir, 'passdb', name), { force: true });
  await rm(join(s.mailboxesDir, 'password', name), { force: true });
}

export async function listMailboxes(info: LabInfo, server: ImapServerName): Promise<string[]> {
  return (await readdir(join(info.imap[server].mailboxesDir, 'passdb'))).filter((n) => !n.startsWith('.'));
}

/** A mailbox address unique to this process and call, for tests that must not share mailboxes. */
export function uniqueAddress(prefix = 'user', domain = 'contoso.example'): string {
  return `${prefix}-${process.pid}-${randomBytes(3).toString('hex')}@${domain}`;
}
