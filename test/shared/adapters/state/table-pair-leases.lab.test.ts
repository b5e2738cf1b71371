import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { TablePairLeases } from '../../../../shared/adapters/state/table-pair-leases.js';
import { TableCheckpointStore } from '../../../../shared/adapters/state/table-checkpoint-store.js';
import { getLab } from '../../../lab/lab-info.js';

const table = (): TableClient => TableClient.fromConnectionString(getLab().azurite.connectionString, `lease${Math.random().toString(36).slice(2, 10)}`, { allowInsecureConnection: true });
const claim = (batchId: string, pass = 1) => ({ batchId, instanceId: `${batchId}:p${pass}:m2` });
const PAIR = 'a@contoso.example->a@fabrikam.example';

describe('TablePairLeases against Azurite', () => {
  it('two takers at once on a free pair: exactly one wins, the other is told who holds it', async () => {
    const client = table();
    // Separate adapters (as on two workers), each with its own client: no shared memory decides.
    const takers = Array.from({ length: 6 }, (_, i) => ({ leases: new TablePairLeases(TableClient.fromConnectionString(getLab().azurite.connectionString, client.tableName, { allowInsecureConnection: true })), claim: claim(`b-${String(i).repeat(32)}`) }));
    await takers[0]!.leases.release(PAIR, takers[0]!.claim); // creates the table before the race
    for (let round = 0; round < 5; round++) {
      const mailbox = `${PAIR}#${round}`;
      const outcomes = await Promise.all(takers.map((t) => t.leases.take(mailbox, t.claim)));
      const winners = outcomes.flatMap((o, i) => (o.held ? [i] : []));
      expect(winners.length, `round ${round}`).toBe(1);
      const winner = takers[winners[0]!]!.claim;
      for (const o of outcomes) if (!o.held) expect(o.heldBy).toMatchObject(winner);
    }
  });

  it('two takers at once on a lapsed lease: exactly one takes it over (the ETag decides)', async () => {
    const name = table().tableName;
    let now = Date.parse('2026-01-01T00:00:00Z');
    const make = () => new TablePairLeases(TableClient.fromConnectionString(getLab().azurite.connectionString, name, { allowInsecureConnection: true }), 60_000, () => now);
    const crashed = make();
    const takers = Array.from({ length: 6 }, (_, i) => ({ leases: make(), claim: claim(`b-${String(i).repeat(32)}`) }));
    for (let round = 0; round < 5; round++) {
      const mailbox = `${PAIR}#${round}`;
      expect(await crashed.take(mailbox, claim('b-crashed'))).toEqual({ held: true });
      now += 61_000;
      const outcomes = await Promise.all(takers.map((t) => t.leases.take(mailbox, t.claim)));
      expect(outcomes.filter((o) => o.held).length, `round ${round}`).toBe(1);
    }
  });

  it('a later pass of the same batch takes its pair again; the earlier pass can then neither renew nor release it', async () => {
    const leases = new TablePairLeases(table());
    expect(await leases.take(PAIR, claim('b-1', 1))).toEqual({ held: true });
    expect(await leases.take(PAIR, claim('b-1', 2))).toEqual({ held: true });
    expect((await leases.renew(PAIR, claim('b-1', 1))).held).toBe(false);
    await leases.release(PAIR, claim('b-1', 1));
    const other = await leases.take(PAIR, claim('b-2'));
    expect(other).toMatchObject({ held: false, heldBy: claim('b-1', 2) });
    await leases.release(PAIR, claim('b-1', 2));
    expect(await leases.take(PAIR, claim('b-2'))).toEqual({ held: true });
  });

  it('a lapsed lease (its batch crashed) is taken by the next batch, and its old holder cannot renew it', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const leases = new TablePairLeases(table(), 60_000, () => now);
    expect(await leases.take(PAIR, claim('b-1'))).toEqual({ held: true });
    now += 59_000;
    expect(await leases.take(PAIR, claim('b-2'))).toMatchObject({ held: false, heldBy: { batchId: 'b-1', since: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-01T00:01:00.000Z' } });
    now += 2_000;
    expect(await leases.take(PAIR, claim('b-2'))).toEqual({ held: true });
    expect(await leases.renew(PAIR, claim('b-1'))).toMatchObject({ held: false, heldBy: claim('b-2') });
  });

  it("renewals keep a working pass's lease alive past its first lifetime; most renewals only read", async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const leases = new TablePairLeases(table(), 90_000, () => now);
    expect(await leases.take(PAIR, claim('b-1'))).toEqual({ held: true });
    now += 5_000; // 85 s of 90 left: nothing to write
    expect(await leases.renew(PAIR, claim('b-1'))).toEqual({ held: true });
    expect(await leases.take(PAIR, claim('b-2'))).toMatchObject({ heldBy: { expiresAt: '2026-01-01T00:01:30.000Z' } });
    now += 15_000; // 70 s left: renewed to 90 s from now
    expect(await leases.renew(PAIR, claim('b-1'))).toEqual({ held: true });
    now += 80_000; // past the first lifetime, within the renewed one
    expect(await leases.take(PAIR, claim('b-2'))).toMatchObject({ held: false, heldBy: { ...claim('b-1'), since: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-01T00:01:50.000Z' } });
  });

  it('the lease row shares the ledger partition and is not read back as a folder checkpoint', async () => {
    const client = table();
    const leases = new TablePairLeases(client);
    const store = new TableCheckpointStore(client);
    await leases.take(PAIR, claim('b-1'));
    expect(await store.list(PAIR)).toEqual([]);
  });
});
