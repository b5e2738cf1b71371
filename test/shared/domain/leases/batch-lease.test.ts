import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeBatchHolder, PAIR_LEASE_TTL_MS } from '../../../../shared/domain/leases/batch-lease.js';
import { RETRY_POLICY } from '../../../../shared/contracts/retry-policy.js';

/** Exchange's longest suggested backoff seen in practice. */
const LONGEST_THROTTLE_WAIT_MS = 5 * 60_000;

describe('the Functions app pair lease', () => {
  it('outlives the longest activity the host allows plus the longest durable wait between two of them', () => {
    const host = JSON.parse(readFileSync(new URL('../../../../host.json', import.meta.url), 'utf8')) as { functionTimeout: string };
    const [h, m, s] = host.functionTimeout.split(':').map(Number) as [number, number, number];
    const functionTimeoutMs = ((h * 60 + m) * 60 + s) * 1000;
    expect(functionTimeoutMs).toBeGreaterThan(0);
    expect(PAIR_LEASE_TTL_MS).toBeGreaterThan(functionTimeoutMs + Math.max(LONGEST_THROTTLE_WAIT_MS, RETRY_POLICY.maxRetryIntervalMs));
  });

  it('a refusal names the holding batch, its mailbox run, since when and when it lapses', () => {
    const text = describeBatchHolder({ batchId: 'b-1', instanceId: 'b-1:p2:m7', since: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-01T00:45:00.000Z' });
    expect(text).toBe('held by batch b-1 (mailbox run b-1:p2:m7) since 2026-01-01T00:00:00.000Z; not copied beside it. That batch releases it when its pass of this mailbox ends; if that batch is gone, the lease lapses at 2026-01-01T00:45:00.000Z');
  });
});
