import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './measure.js';

/**
 * mbsync (Debian isync) as the peer: IMAP to IMAP directly, `Sync Pull`, `CopyArrivalDate yes`
 * (INTERNALDATE kept), `Host localhost` because it does not match IP addresses in
 * certificates (the lab certificate names DNS:localhost). It adds an X-TUID header to every
 * message, so its copies are checked by count, not by hash.
 */

export interface ImapLogin {
  port: number;
  user: string;
  /** PLAIN password, or with `xoauth2` a file holding the access token. */
  pass: string;
  xoauth2?: boolean;
}

export interface MbsyncPair {
  name: string;
  far: ImapLogin;
  near: ImapLogin;
}

export function mbsyncVersion(): string {
  try {
    return execFileSync('mbsync', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'not installed';
  }
}

function account(name: string, l: ImapLogin, caPath: string): string {
  return [
    `IMAPAccount ${name}`,
    'Host localhost',
    `Port ${l.port}`,
    `User ${l.user}`,
    l.xoauth2 ? `PassCmd "cat ${l.pass}"` : `Pass ${l.pass}`,
    'SSLType IMAPS',
    `CertificateFile ${caPath}`,
    `AuthMechs ${l.xoauth2 ? 'XOAUTH2' : 'PLAIN'}`,
    'Timeout 300',
    '',
    `IMAPStore ${name}`,
    `Account ${name}`,
    '',
  ].join('\n');
}

/** One configuration file with a channel per pair; each channel keeps its own sync state. */
export function writeMbsyncConfig(dir: string, pairs: MbsyncPair[], caPath: string): string {
  mkdirSync(dir, { recursive: true });
  const parts = pairs.map((p) => {
    const state = join(dir, 'state', p.name);
    mkdirSync(state, { recursive: true });
    return [
      account(`${p.name}-far`, p.far, caPath),
      account(`${p.name}-near`, p.near, caPath),
      `Channel ${p.name}`,
      `Far :${p.name}-far:`,
      `Near :${p.name}-near:`,
      'Patterns *',
      'Sync Pull',
      'Create Near',
      'Expunge None',
      'CopyArrivalDate yes',
      `SyncState ${state}/`,
      '',
    ].join('\n');
  });
  const path = join(dir, 'mbsyncrc');
  writeFileSync(path, parts.join('\n'), { mode: 0o600 });
  return path;
}

export function mbsyncJob(config: string, channel: string): { command: string; args: string[] } {
  return { command: 'mbsync', args: ['-q', '-c', config, channel] };
}

/**
 * Can mbsync log into the XOAUTH2-only source? It needs the cyrus-sasl-xoauth2 plugin; the
 * answer (and mbsync's own words) goes into the bench output.
 */
export async function probeXoauth2(dir: string, pair: MbsyncPair, caPath: string): Promise<{ ok: boolean; detail: string }> {
  const config = writeMbsyncConfig(join(dir, 'xoauth2-probe'), [pair], caPath);
  const r = await run('mbsync', ['-l', '-c', config, pair.name], { timeoutMs: 30_000 });
  const detail = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ');
  return { ok: r.code === 0, detail: detail || `exit ${String(r.code)}` };
}
