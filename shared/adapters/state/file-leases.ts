import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { describeHolder, type HeldLease, type LeaseHolder, type LeaseRefusal, type MailboxLeases } from '../../domain/leases/mailbox-lease.js';
import { isAlive } from './process-alive.js';
import { sweepTemporaryFiles } from './stale-files.js';

/**
 * The CLI's leases: one lock file per mailbox pair (STATE_DIR/leases/<hash>.lock, created with
 * O_EXCL) naming its holder. A crash cannot leave one stuck: a lock whose holder pid is gone on
 * this host is stale and taken over. A holder on another host (a shared STATE_DIR) is trusted:
 * its pid cannot be checked from here.
 */
export class FileLeases implements MailboxLeases {
  private readonly host = hostname();
  private made = false;

  constructor(private readonly dir: string) {}

  private file(mailbox: string): string {
    return join(this.dir, `${createHash('sha256').update(mailbox).digest('hex').slice(0, 40)}.lock`);
  }

  async acquire(mailbox: string): Promise<HeldLease | (LeaseRefusal & { heldBy: LeaseHolder; file: string })> {
    if (!this.made) {
      await mkdir(this.dir, { recursive: true });
      this.made = true;
      await sweepTemporaryFiles(this.dir, /\.lock\.(\d+)\.[0-9a-f]+\.(tmp|stale)$/);
    }
    const path = this.file(mailbox);
    const me: LeaseHolder & { mailbox: string; token: string } = { host: this.host, pid: process.pid, since: new Date().toISOString(), mailbox, token: randomBytes(8).toString('hex') };
    // A stale lock is taken away, then created again (or found taken by another run meanwhile).
    for (let round = 0; round < 3; round++) {
      if (await create(path, JSON.stringify(me))) return { release: () => releaseIfOurs(path, me.token) };
      const text = await readFile(path, 'utf8').catch(() => undefined);
      if (text === undefined) continue; // released meanwhile
      const holder = parseHolder(text);
      if (holder && !(holder.host === this.host && !isAlive(holder.pid))) return refusal(holder, path);
      // Stale (its holder is gone from this host) or unreadable (a crash mid-write): taken away by
      // rename, so that of two runs breaking it at once only one removes it.
      const aside = `${path}.${process.pid}.${me.token}.stale`;
      if (!(await rename(path, aside).then(() => true, () => false))) continue;
      const moved = await readFile(aside, 'utf8').catch(() => undefined);
      // Another run broke it and took it between our read and our rename: give its lock back.
      if (moved !== text && moved !== undefined) await link(aside, path).catch(() => undefined);
      await rm(aside, { force: true });
    }
    const text = await readFile(path, 'utf8').catch(() => '');
    return refusal(parseHolder(text) ?? { host: 'unknown', pid: 0, since: 'unknown' }, path);
  }
}

function refusal(heldBy: LeaseHolder, file: string): LeaseRefusal & { heldBy: LeaseHolder; file: string } {
  return { refused: describeHolder(heldBy, file), heldBy, file };
}

/** Creates the lock whole or not at all: written beside it, then linked (link fails if the lock exists). */
async function create(path: string, text: string): Promise<boolean> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, text, { flag: 'wx' });
  try {
    await link(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await rm(tmp, { force: true });
  }
}

async function releaseIfOurs(path: string, token: string): Promise<void> {
  const text = await readFile(path, 'utf8').catch(() => '');
  if (text.includes(`"token":"${token}"`)) await rm(path, { force: true });
}

function parseHolder(text: string): LeaseHolder | undefined {
  try {
    const h = JSON.parse(text) as Partial<LeaseHolder>;
    if (typeof h.host === 'string' && typeof h.pid === 'number' && typeof h.since === 'string') return { host: h.host, pid: h.pid, since: h.since };
  } catch {
    /* a lock written by a process that died mid-write */
  }
  return undefined;
}
