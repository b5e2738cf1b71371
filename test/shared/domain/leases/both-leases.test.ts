import { describe, expect, it } from 'vitest';
import { bothLeases, type HeldLease, type LeaseRefusal, type MailboxLeases } from '../../../../shared/domain/leases/mailbox-lease.js';

/** A lease table in memory: a pair is held until released. */
function memoryLeases(name: string, log: string[]): MailboxLeases & { held: Set<string> } {
  const held = new Set<string>();
  return {
    held,
    acquire: (mailbox): Promise<HeldLease | LeaseRefusal> => {
      if (held.has(mailbox)) return Promise.resolve({ refused: `${name} holds ${mailbox}` });
      held.add(mailbox);
      log.push(`${name} took`);
      return Promise.resolve({
        release: () => {
          held.delete(mailbox);
          log.push(`${name} released`);
          return Promise.resolve();
        },
      });
    },
  };
}

describe('bothLeases', () => {
  it('holds both while the pair is worked on and gives them back in reverse order', async () => {
    const log: string[] = [];
    const [a, b] = [memoryLeases('local', log), memoryLeases('shared', log)];
    const lease = await bothLeases(a, b).acquire('p');
    expect([a.held.has('p'), b.held.has('p')]).toEqual([true, true]);
    if ('release' in lease) await lease.release();
    expect(log).toEqual(['local took', 'shared took', 'shared released', 'local released']);
  });

  it('a pair the second refuses gives the first back and says who holds it', async () => {
    const log: string[] = [];
    const [a, b] = [memoryLeases('local', log), memoryLeases('shared', log)];
    b.held.add('p');
    expect(await bothLeases(a, b).acquire('p')).toEqual({ refused: 'shared holds p' });
    expect(a.held.has('p')).toBe(false);
  });

  it('a second lease that fails to answer gives the first back and passes the failure on', async () => {
    const log: string[] = [];
    const a = memoryLeases('local', log);
    const broken: MailboxLeases = { acquire: () => Promise.reject(new Error('table unreachable')) };
    await expect(bothLeases(a, broken).acquire('p')).rejects.toThrow('table unreachable');
    expect(a.held.has('p')).toBe(false);
  });
});
