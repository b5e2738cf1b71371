import { TableClient } from '@azure/data-tables';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { TableMailboxLeases } from '../../../../shared/adapters/state/table-mailbox-leases.js';
import { TablePairLeases } from '../../../../shared/adapters/state/table-pair-leases.js';
import { getLab } from '../../../lab/lab-info.js';

const PAIR = 'a@contoso.example->a@fabrikam.example';
const DEAD_PID = 2 ** 22 + 7; // above the kernel's pid_max: never a live process
const batch = { batchId: 'b-0123456789abcdef0123456789abcdef', instanceId: 'b-0123456789abcdef0123456789abcdef:p1:m2' };

function pairLeases(name: string, ttlMs?: number): TablePairLeases {
  return new TablePairLeases(TableClient.fromConnectionString(getLab().azurite.connectionString, name, { allowInsecureConnection: true }), ttlMs);
}
const tableName = (): string => `clilease${Math.random().toString(36).slice(2, 10)}`;

describe('the command line on the shared table ledger takes the Functions app\'s pair lease', () => {
  it('a pair a mailmig run holds is refused to a batch, naming the run; free again once the run releases it', async () => {
    const name = tableName();
    const cli = new TableMailboxLeases(pairLeases(name));
    const lease = await cli.acquire(PAIR);
    expect('release' in lease).toBe(true);
    const app = pairLeases(name);
    const refused = await app.take(PAIR, batch);
    expect(refused).toMatchObject({ held: false, heldBy: { batchId: expect.stringMatching(/^cli:/) } });
    if ('release' in lease) await lease.release();
    expect(await app.take(PAIR, batch)).toEqual({ held: true });
  });

  it('a pair a batch holds is refused to a mailmig run, with a message naming the batch', async () => {
    const name = tableName();
    expect(await pairLeases(name).take(PAIR, batch)).toEqual({ held: true });
    const got = await new TableMailboxLeases(pairLeases(name)).acquire(PAIR);
    expect(got).toEqual({ refused: expect.stringMatching(new RegExp(`^mailbox pair held by batch ${batch.batchId} \\(mailbox run ${batch.instanceId.replace(/[:]/g, '\\:')}\\) since .+; not copied beside it`)) });
  });

  it('a lease left by a crashed run on this host is taken over at once; a live run, or one on another host, is not', async () => {
    const name = tableName();
    const crashed = new TableMailboxLeases(pairLeases(name), { pid: DEAD_PID });
    expect('release' in (await crashed.acquire(PAIR))).toBe(true);
    expect('release' in (await new TableMailboxLeases(pairLeases(name)).acquire(PAIR))).toBe(true);

    const live = new TableMailboxLeases(pairLeases(name), { pid: process.ppid });
    const other = `${PAIR}#2`;
    expect('release' in (await live.acquire(other))).toBe(true);
    const refused = await new TableMailboxLeases(pairLeases(name)).acquire(other);
    expect(refused).toEqual({ refused: expect.stringContaining(`held by a mailmig command-line run (host ${hostname()}, pid ${process.ppid})`) });

    const third = `${PAIR}#3`;
    expect('release' in (await new TableMailboxLeases(pairLeases(name), { host: 'elsewhere.example', pid: DEAD_PID }).acquire(third))).toBe(true);
    expect(await new TableMailboxLeases(pairLeases(name)).acquire(third)).toEqual({ refused: expect.stringContaining('host elsewhere.example') });
  });

  it('a held lease is renewed while the run works on the pair, so it never lapses under a long pass', async () => {
    const name = tableName();
    const ttlMs = 2_000;
    const renewed = await new TableMailboxLeases(pairLeases(name, ttlMs), { renewEveryMs: ttlMs / 9 }).acquire(PAIR);
    // Without renewal this lease lapses after 2 s and a batch would take it.
    const unrenewed = await new TableMailboxLeases(pairLeases(name, ttlMs), { renewEveryMs: 3_600_000 }).acquire(`${PAIR}#2`);
    await new Promise((r) => setTimeout(r, 3 * ttlMs));
    const app = pairLeases(name, ttlMs);
    expect(await app.take(PAIR, batch)).toMatchObject({ held: false });
    expect(await app.take(`${PAIR}#2`, batch)).toEqual({ held: true });
    if ('release' in renewed) await renewed.release();
    if ('release' in unrenewed) await unrenewed.release();
  });
});
