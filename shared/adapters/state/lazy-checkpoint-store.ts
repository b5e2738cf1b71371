import type { CheckpointStore } from '../../domain/checkpoints/checkpoint-store.js';

/** A ledger whose SDK is loaded on the first call (the CLI with a file ledger never loads it). */
export function lazyCheckpointStore(load: () => Promise<CheckpointStore>): CheckpointStore {
  let store: Promise<CheckpointStore> | undefined;
  const get = (): Promise<CheckpointStore> => {
    store ??= load();
    store.catch(() => (store = undefined));
    return store;
  };
  return {
    get: async (m, p) => (await get()).get(m, p),
    put: async (m, c) => (await get()).put(m, c),
    list: async (m) => (await get()).list(m),
    appendUidMap: async (m, p, v, pairs) => (await get()).appendUidMap(m, p, v, pairs),
    readUidMap: async (m, p) => (await get()).readUidMap(m, p),
    markClosed: async (m, at) => (await get()).markClosed(m, at),
    closedAt: async (m) => (await get()).closedAt(m),
    pauseMailbox: async (m, u) => (await get()).pauseMailbox(m, u),
    pausedUntil: async (m) => (await get()).pausedUntil(m),
    readBudget: async (m) => (await get()).readBudget(m),
    writeBudget: async (m, w, v) => (await get()).writeBudget(m, w, v),
  };
}
