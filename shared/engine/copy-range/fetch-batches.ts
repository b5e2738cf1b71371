import type { MessageMeta } from '../../contracts/imap.js';

/** Bodies are fetched in batches of at most this many bytes: imapflow queues fetched rows without bound. */
export const FETCH_BATCH_BYTES = 32 * 1024 * 1024;
export const FETCH_BATCH_MESSAGES = 200;

/** Consecutive runs of `metas`, each within FETCH_BATCH_MESSAGES and `maxBytes` (a larger message goes alone). */
export function* fetchBatches<M extends Pick<MessageMeta, 'uid' | 'size'>>(metas: readonly M[], maxBytes = FETCH_BATCH_BYTES): Generator<M[]> {
  let cur: M[] = [];
  let bytes = 0;
  for (const m of metas) {
    if (cur.length > 0 && (cur.length >= FETCH_BATCH_MESSAGES || bytes + m.size > maxBytes)) {
      yield cur;
      cur = [];
      bytes = 0;
    }
    cur.push(m);
    bytes += m.size;
  }
  if (cur.length > 0) yield cur;
}
