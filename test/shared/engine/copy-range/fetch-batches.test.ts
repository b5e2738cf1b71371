import { describe, expect, it } from 'vitest';
import { FETCH_BATCH_BYTES, FETCH_BATCH_MESSAGES, fetchBatches } from '../../../../shared/engine/copy-range/fetch-batches.js';

const metas = (sizes: number[]) => sizes.map((size, i) => ({ uid: i + 1, size }));
const uidsOf = (batches: { uid: number }[][]) => batches.map((b) => b.map((m) => m.uid));

describe('fetchBatches', () => {
  it('cuts a batch at FETCH_BATCH_MESSAGES messages', () => {
    const batches = [...fetchBatches(metas(Array.from({ length: FETCH_BATCH_MESSAGES + 1 }, () => 1)))];
    expect(batches.map((b) => b.length)).toEqual([FETCH_BATCH_MESSAGES, 1]);
  });

  it('cuts a batch before the message that would take it over FETCH_BATCH_BYTES, and sends a larger message alone', () => {
    const half = FETCH_BATCH_BYTES / 2;
    expect(uidsOf([...fetchBatches(metas([half, half, 1, FETCH_BATCH_BYTES + 1, 1]))])).toEqual([[1, 2], [3], [4], [5]]);
  });

  it('yields nothing for nothing', () => {
    expect([...fetchBatches([])]).toEqual([]);
  });
});
