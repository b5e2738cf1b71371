import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect as netConnect, type Socket } from 'node:net';
import { userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import type { ImapServerInfo, ImapServerName } from './lab-info.js';
import { spawnLabProcess, type LabProcess } from './processes.js';
import { OUTLOOK_RESOURCE, stsIssuer } from './tokens.js';

/**
 * One Dovecot 2.3 instance with a generated configuration (TEST-INFRA.md). `exchange` flavour
 * plays Exchange Online: XOAUTH2 only, Exchange's capability list and folder names.
 * `standard` plays an ordinary destination: XOAUTH2 plus PLAIN/LOGIN, Dovecot's own
 * capabilities (SPECIAL-USE, CONDSTORE, QUOTA ...) and the usual folder names.
 */

export type DovecotFlavor = 'exchange' | 'standard';

export interface DovecotOptions {
  name: ImapServerName;
  flavor: DovecotFlavor;
  /** Config, passwd-files, keys, maildirs and the log live here. */
  dir: string;
  /** base_dir (sockets): must be short, unix socket paths are limited to 107 bytes. */
  runDir: string;
  ports: { tls: number; starttls: number };
  tls: { certPath: string; keyPath: string; caPath: string };
  tenantId: string;
  signing: { kid: string; publicKeyPem: string };
  /**
   * quota_max_mail_size in bytes; undefined = unlimited. The quota plugin (also needed for
   * per-mailbox quotas) is loaded on the standard flavour always, on the exchange flavour only
   * with a limit: it costs about a fifth of Dovecot's CPU per APPEND, and the source is where
   * tests seed most.
   */
  maxMailSizeBytes?: number;
  /** Simultaneous IMAP sessions per mailbox and client IP. */
  maxConnectionsPerMailbox: number;
  pidFile: string;
  /** Unique text in the greeting: proves the port answering is this instance (default random). */
  instanceId?: string;
}

export const EXCHANGE_SPECIAL_USE: Record<string, string> = {
  'Sent Items': '\\Sent',
  'Deleted Items': '\\Trash',
  'Junk Email': '\\Junk',
  Drafts: '\\Drafts',
  Archive: '\\Archive',
};

export const STANDARD_SPECIAL_USE: Record<string, string> = {
  Sent: '\\Sent',
  Drafts: '\\Drafts',
  Trash: '\\Trash',
  Junk: '\\Junk',
  Archive: '\\Archive',
};

/**
 * Gmail's views, on both servers but created by no one (auto = no): a test that creates them
 * (seedMailbox) gets a mailbox in Gmail's folder model — `[Gmail]/All Mail` announcing \All and
 * holding every message, the starred and important views — without Gmail's X-GM-EXT-1.
 */
export const GMAIL_SPECIAL_USE: Record<string, string> = {
  '[Gmail]/All Mail': '\\All',
  '[Gmail]/Starred': '\\Flagged',
  '[Gmail]/Important': '\\Important',
};

/** What Exchange Online advertises after login (ARCHITECTURE.md), minus AUTH=PLAIN. */
const EXCHANGE_CAPABILITY = 'IMAP4rev1 SASL-IR UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+';

function findDovecot(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  const found = dirs.map((d) => join(d, 'dovecot')).find((p) => existsSync(p));
  if (found === undefined) throw new Error('dovecot not found: install it (apt-get install dovecot-imapd)');
  return found;
}

/** Root runs mail as nobody (Dovecot refuses root for mail); anyone else runs everything as self. */
function runAs(): { internalUser: string; internalGroup: string; loginUser: string; mailUid: string; mailGid: string } {
  if (process.getuid?.() === 0) {
    let group = 'nogroup';
    try {
      execFileSync('getent', ['group', 'nogroup'], { stdio: 'ignore' });
    } catch {
      group = 'nobody';
    }
    return { internalUser: 'dovecot', internalGroup: 'dovecot', loginUser: 'dovenull', mailUid: 'nobody', mailGid: group };
  }
  const me = userInfo();
  const group = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
  return { internalUser: me.username, internalGroup: group, loginUser: me.username, mailUid: String(me.uid), mailGid: String(me.gid) };
}

export function dovecotFiles(dir: string): { config: string; oauth2: string; grants: string; passwords: string; mailboxes: string; mail: string; log: string; keys: string } {
  return {
    config: join(dir, 'dovecot.conf'),
    oauth2: join(dir, 'oauth2.conf.ext'),
    grants: join(dir, 'dict-grants.conf.ext'),
    passwords: join(dir, 'dict-passwords.conf.ext'),
    mailboxes: join(dir, 'mailboxes'),
    mail: join(dir, 'mail'),
    log: join(dir, 'dovecot.log'),
    keys: join(dir, 'keys'),
  };
}

function mailboxBlocks(specialUse: Record<string, string>, auto = 'subscribe'): string {
  return Object.entries(specialUse)
    .map(([name, use]) => `  mailbox "${name}" {\n    special_use = ${use}\n    auto = ${auto}\n  }`)
    .join('\n');
}

const hasQuota = (o: DovecotOptions): boolean => o.flavor === 'standard' || o.maxMailSizeBytes !== undefined;

/** Exchange's greeting carries a bracketed base64 server id; ours carries the instance id. */
export function dovecotGreeting(o: DovecotOptions, instanceId: string): string {
  return o.flavor === 'exchange'
    ? `The Microsoft Exchange IMAP4 service is ready. [${Buffer.from(`mailmig-lab-${instanceId}`).toString('base64')}]`
    : `mailmig lab ${o.name} ${instanceId} ready.`;
}

export function renderDovecotConfig(o: DovecotOptions, instanceId = 'x'): { config: string; oauth2: string; grants: string; passwords: string } {
  const f = dovecotFiles(o.dir);
  for (const p of [o.dir, o.runDir]) {
    if (/[\s"'\\]/.test(p)) throw new Error(`Dovecot paths must not contain spaces or quotes: ${p}`);
  }
  const exchange = o.flavor === 'exchange';
  const who = runAs();
  const asRoot = process.getuid?.() === 0;
  const special = exchange ? EXCHANGE_SPECIAL_USE : STANDARD_SPECIAL_USE;
  const quota = hasQuota(o);
  const quotaMax = o.maxMailSizeBytes !== undefined ? `  quota_max_mail_size = ${o.maxMailSizeBytes}\n` : '';
  const config = `# Generated by test/lab/dovecot.ts: the ${o.name} server (${o.flavor}) of a mailmig test lab.
instance_name = mailmig-lab-${o.name}-${o.ports.tls}
base_dir = ${o.runDir}
state_dir = ${join(o.dir, 'state')}
log_path = ${f.log}
protocols = imap
listen = 127.0.0.1
login_greeting = ${dovecotGreeting(o, instanceId)}
shutdown_clients = yes
default_internal_user = ${who.internalUser}
default_internal_group = ${who.internalGroup}
default_login_user = ${who.loginUser}
mail_uid = ${who.mailUid}
mail_gid = ${who.mailGid}
first_valid_uid = 1

ssl = yes
ssl_cert = <${o.tls.certPath}
ssl_key = <${o.tls.keyPath}
disable_plaintext_auth = yes

auth_mechanisms = ${exchange ? 'xoauth2' : 'xoauth2 plain login'}
# Failed logins must not slow later ones (tests make many on purpose).
auth_failure_delay = 0
auth_cache_size = 0
# Logs why a login failed (expired token, wrong audience ...), never the token.
auth_verbose = yes

# Test data is disposable: no fsync. maildir_very_dirty_syncs avoids rescanning cur/ on every
# APPEND, which made seeding one folder quadratic.
mail_location = maildir:${f.mail}/%Lu
mail_fsync = never
maildir_very_dirty_syncs = yes
# listescape: Exchange allows "." in folder names, Maildir++ would refuse it.
mail_plugins = $mail_plugins listescape${quota ? ' quota' : ''}
${exchange ? `imap_capability = ${EXCHANGE_CAPABILITY}\n` : ''}
protocol imap {
${exchange ? '' : '  mail_plugins = $mail_plugins imap_quota\n'}  mail_max_userip_connections = ${o.maxConnectionsPerMailbox}
}

namespace inbox {
  inbox = yes
  prefix =
  separator = /
${mailboxBlocks(special)}
${mailboxBlocks(GMAIL_SPECIAL_USE, 'no')}
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${o.ports.starttls}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${o.ports.tls}
    ssl = yes
  }
}

# No auth penalty: anvil would delay every login after a failure by up to 15 s.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
${asRoot ? '' : `# Not root: no chroot, no user switching.
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
service auth-worker {
  user = $default_internal_user
}
`}
# Mailboxes are files (see mailboxes.ts): ${f.mailboxes}/passdb/<address> = the FullAccess grant,
# userdb/<address> = per-mailbox settings (quota), password/<address> = PLAIN/LOGIN password.
# A dict passdb reads the file on every lookup, so mailboxes added or removed while the server
# runs count at the very next login (a passwd-file is re-read at most once per second).
#
# 1. The mailbox must be granted. An unknown mailbox is remembered as a failure (continue-fail)
#    but the chain goes on, so that ...
passdb {
  driver = dict
  args = ${f.grants}
  mechanisms = xoauth2
  result_success = continue-ok
  result_failure = continue-fail
}
# 2. ... the token is validated locally either way; "return" then answers with the grant's
#    result. nodelay makes the NO immediate (Dovecot otherwise batches failures every 0.5 s).
passdb {
  driver = oauth2
  mechanisms = xoauth2
  args = ${f.oauth2}
  override_fields = nodelay=yes
  result_success = return
  result_failure = return-fail
}
${exchange ? '' : `passdb {
  driver = dict
  args = ${f.passwords}
  mechanisms = plain login
}
`}
userdb {
  driver = dict
  args = ${f.grants}
  default_fields = home=${f.mail}/%Lu
}

${quota ? `plugin {
  quota = count:User quota
  quota_vsizes = yes
${quotaMax}}
` : ''}`;
  const oauth2 = `# Local validation of Entra app-only tokens (RS256, public key in ${f.keys}/default/RS256/<kid>).
introspection_mode = local
local_validation_key_dict = fs:posix:prefix=${f.keys}/
audience = ${OUTLOOK_RESOURCE}
issuers = ${stsIssuer(o.tenantId)}
# App-only tokens name no mailbox. A constant username_format expands to the same text for the
# login user and for the token's appid, so any valid app token opens every listed mailbox,
# as IMAP.AccessAsApp + FullAccess does in Exchange Online.
username_attribute = appid
username_format = app
`;
  const dict = (passwordKey: string): string => `uri = fs:posix:prefix=${f.mailboxes}/
password_key = ${passwordKey}/%u
user_key = userdb/%u
iterate_disable = yes
default_pass_scheme = PLAIN
`;
  return { config, oauth2, grants: dict('passdb'), passwords: dict('password') };
}

export interface DovecotInstance {
  info: ImapServerInfo;
  process: LabProcess;
}

/** Writes the files, starts `dovecot -F`, waits for both ports; fails with the Dovecot log. */
export async function startDovecot(o: DovecotOptions): Promise<DovecotInstance> {
  const f = dovecotFiles(o.dir);
  const exchange = o.flavor === 'exchange';
  await mkdir(join(f.keys, 'default', 'RS256'), { recursive: true });
  await mkdir(join(o.dir, 'state'), { recursive: true });
  await mkdir(o.runDir, { recursive: true });
  await mkdir(f.mail, { recursive: true });
  // The mail user (nobody) creates each mailbox's maildir below this directory.
  await chmod(f.mail, 0o1777);
  await writeFile(join(f.keys, 'default', 'RS256', o.signing.kid), o.signing.publicKeyPem);
  for (const sub of ['passdb', 'userdb', 'password']) await mkdir(join(f.mailboxes, sub), { recursive: true });
  const instanceId = o.instanceId ?? randomBytes(6).toString('hex');
  const files = renderDovecotConfig(o, instanceId);
  await writeFile(f.config, files.config);
  await writeFile(f.oauth2, files.oauth2);
  await writeFile(f.grants, files.grants);
  if (!exchange) await writeFile(f.passwords, files.passwords);

  const proc = spawnLabProcess(`dovecot ${o.name}`, findDovecot(), ['-F', '-c', f.config], { pidFile: o.pidFile });
  const why = (): string | undefined => {
    const r = proc.exitReason();
    return r === undefined ? undefined : `dovecot (${o.name}) exited: ${r}`;
  };
  try {
    const ca = await readFile(o.tls.caPath);
    const greeting = dovecotGreeting(o, instanceId);
    await waitForGreeting(() => tlsConnect({ host: '127.0.0.1', port: o.ports.tls, ca }), greeting, 10_000, why);
    await waitForGreeting(() => netConnect({ host: '127.0.0.1', port: o.ports.starttls }), greeting, 10_000, why);
  } catch (err) {
    await proc.stop(500);
    const log = await readFile(f.log, 'utf8').catch(() => '(no log)');
    throw new Error(`Dovecot (${o.name}) did not come up: ${(err as Error).message}\n--- output ---\n${proc.output()}\n--- ${f.log} ---\n${log.slice(-8000)}`, { cause: err });
  }
  return {
    process: proc,
    info: {
      name: o.name,
      host: '127.0.0.1',
      tlsPort: o.ports.tls,
      starttlsPort: o.ports.starttls,
      mechanisms: exchange ? ['XOAUTH2'] : ['XOAUTH2', 'PLAIN', 'LOGIN'],
      mailboxesDir: f.mailboxes,
      passwordLogin: !exchange,
      mailDir: f.mail,
      logPath: f.log,
      configPath: f.config,
      maxMailSizeBytes: o.maxMailSizeBytes,
      quota: hasQuota(o),
      specialUse: exchange ? EXCHANGE_SPECIAL_USE : STANDARD_SPECIAL_USE,
    },
  };
}

/** The first line a socket receives; undefined if it closes, errs or `giveUp()` turns true first. */
function firstLine(sock: Socket, giveUp: () => boolean): Promise<string | undefined> {
  return new Promise((resolve) => {
    let buf = '';
    const poll = setInterval(() => giveUp() && done(undefined), 25);
    function done(line: string | undefined): void {
      clearInterval(poll);
      sock.destroy();
      resolve(line);
    }
    sock.setTimeout(2000, () => done(undefined));
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const i = buf.indexOf('\r\n');
      if (i >= 0) done(buf.slice(0, i));
    });
    sock.on('error', () => done(undefined));
    sock.on('close', () => done(undefined));
  });
}

/**
 * Ready = the port greets with this instance's own text. A TCP connect alone is not enough: if
 * another process took the port between freePorts() and Dovecot's bind, the connect succeeds
 * while our Dovecot has died with "Address already in use".
 */
async function waitForGreeting(open: () => Socket, greeting: string, timeoutMs: number, whyDead: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = await firstLine(open(), () => whyDead() !== undefined);
    if (line?.startsWith('* OK') && line.endsWith(greeting)) return;
    const dead = whyDead();
    if (dead !== undefined) throw new Error(dead);
    if (line !== undefined) throw new Error(`another server answers on this port: ${line}`);
    if (Date.now() > deadline) throw new Error(`no IMAP greeting after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 15));
  }
}
