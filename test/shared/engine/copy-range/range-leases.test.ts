import { describe, expect, it } from 'vitest';
import type { FolderSession } from '../../../../shared/adapters/imap/folder-session.js';
import type { ImapSession } from '../../../../shared/adapters/imap/imap-session.js';
import type { PipelinedAppender } from '../../../../shared/adapters/imap/pipelined-appender.js';
import { RangeLeases, type LeasePool } from '../../../../shared/engine/copy-range/range-leases.js';

/** A pool that hands out named stand-ins and logs every acquisition and release. */
function pool(opts: { pipelining?: boolean } = {}): LeasePool & { log: string[] } {
  const log: string[] = [];
  const dst = { select: async (path: string) => (log.push(`select ${path}`), { messages: 0, uidNext: 1, uidValidity: '1', permanentFlags: [] }) } as unknown as ImapSession;
  const appender = { name: 'appender' } as unknown as PipelinedAppender;
  return {
    log,
    acquireFolders: async (site, mailbox) => {
      log.push(`acquire folders ${site} ${mailbox}`);
      return { session: { name: 'source' } as unknown as FolderSession, release: (broken = false) => log.push(`release source broken=${broken}`) };
    },
    acquire: async (site, mailbox) => (log.push(`acquire ${site} ${mailbox}`), dst),
    acquireAppender: async (mailbox) => (log.push(`acquire appender ${mailbox}`), opts.pipelining === false ? undefined : { item: appender, expiresOnMs: 0 }),
    release: (_s, broken = false) => log.push(`release destination broken=${broken}`),
    releaseAppender: (mailbox, _a, broken = false) => log.push(`release appender ${mailbox} broken=${broken}`),
  };
}

const mailboxes = { sourceEmail: 's@x', destinationEmail: 'd@x', destinationPath: 'Inbox' };

describe('RangeLeases', () => {
  it('opens the destination session once, on first use, on the destination folder', async () => {
    const p = pool();
    const leases = new RangeLeases(p, mailboxes);
    await leases.source();
    expect(p.log).toEqual(['acquire folders source s@x']);
    const first = await leases.destination();
    expect(await leases.destination()).toBe(first);
    expect(p.log).toEqual(['acquire folders source s@x', 'acquire destination d@x', 'select Inbox']);
  });

  it('asks for a pipelining connection once, even when the server cannot pipeline', async () => {
    const p = pool({ pipelining: false });
    const leases = new RangeLeases(p, mailboxes);
    expect(await leases.appender()).toBeUndefined();
    expect(await leases.appender()).toBeUndefined();
    leases.release('ok');
    expect(p.log).toEqual(['acquire appender d@x']);
  });

  it('gives every connection back good after a range that went well', async () => {
    const p = pool();
    const leases = new RangeLeases(p, mailboxes);
    await leases.source();
    await leases.appender();
    await leases.destination();
    p.log.length = 0;
    leases.release('ok');
    expect(p.log).toEqual(['release source broken=false', 'release destination broken=false', 'release appender d@x broken=false']);
  });

  it('closes every connection after a failure', async () => {
    const p = pool();
    const leases = new RangeLeases(p, mailboxes);
    await leases.source();
    await leases.appender();
    await leases.destination();
    p.log.length = 0;
    leases.release('broken');
    expect(p.log).toEqual(['release source broken=true', 'release destination broken=true', 'release appender d@x broken=true']);
  });

  it('keeps the source connection after a throttling answer, so the retry does not log in again', async () => {
    const p = pool();
    const leases = new RangeLeases(p, mailboxes);
    await leases.source();
    await leases.appender();
    p.log.length = 0;
    leases.release('throttled');
    expect(p.log).toEqual(['release source broken=false', 'release appender d@x broken=true']);
  });

  it('releases only what was taken', async () => {
    const p = pool();
    const leases = new RangeLeases(p, mailboxes);
    await leases.source();
    p.log.length = 0;
    leases.release('broken');
    expect(p.log).toEqual(['release source broken=true']);
  });
});
