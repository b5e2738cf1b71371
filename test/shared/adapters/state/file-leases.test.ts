import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileLeases } from '../../../../shared/adapters/state/file-leases.js';

const PAIR = 'a@example.com->b@example.com';
const DEAD_PID = 2 ** 22 + 777; // above Linux's pid_max: never a live process

describe('FileLeases (one run per mailbox pair)', () => {
  it('a held pair is refused, naming its holder (host, pid, since); released, it can be taken again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leases-'));
    const first = await new FileLeases(dir).acquire(PAIR);
    expect('release' in first).toBe(true);
    const second = await new FileLeases(dir).acquire(PAIR);
    expect(second).toMatchObject({ heldBy: { host: hostname(), pid: process.pid } });
    expect('heldBy' in second && second.file.startsWith(dir)).toBe(true);
    // Another pair is free.
    expect('release' in (await new FileLeases(dir).acquire('c@example.com->d@example.com'))).toBe(true);
    if ('release' in first) await first.release();
    expect('release' in (await new FileLeases(dir).acquire(PAIR))).toBe(true);
  });

  it('a lock left by a crashed run (its pid gone from this host) is taken over; one from another host is respected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leases-'));
    const a = new FileLeases(dir);
    const taken = await a.acquire(PAIR);
    if (!('release' in taken)) throw new Error('not taken');
    const [lock] = readdirSync(dir);
    const path = join(dir, lock!);
    const mine = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    writeFileSync(path, JSON.stringify({ ...mine, pid: DEAD_PID, token: 'old' }));
    // A crash between writing a lock and linking it leaves its temporary file: removed too.
    writeFileSync(`${path}.${DEAD_PID}.abcd.tmp`, '{"host":');
    const b = await new FileLeases(dir).acquire(PAIR);
    expect(readdirSync(dir)).toEqual([lock]);
    expect('release' in b).toBe(true);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: process.pid });
    // The crashed run's release (had it one) must not free the new holder's lock.
    await taken.release();
    expect('heldBy' in (await new FileLeases(dir).acquire(PAIR))).toBe(true);

    writeFileSync(path, JSON.stringify({ ...mine, host: 'other-host.example', pid: DEAD_PID, token: 'x' }));
    expect(await new FileLeases(dir).acquire(PAIR)).toMatchObject({ heldBy: { host: 'other-host.example', pid: DEAD_PID } });
  });

  it('two takers at once: exactly one holds the pair', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leases-'));
    const got = await Promise.all(Array.from({ length: 8 }, () => new FileLeases(dir).acquire(PAIR)));
    expect(got.filter((g) => 'release' in g)).toHaveLength(1);
    expect(readdirSync(dir).filter((f) => !f.endsWith('.lock'))).toEqual([]);
  });
});
