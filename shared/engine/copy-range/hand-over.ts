import type { MessageMeta } from '../../contracts/imap.js';
import { LANE_MIN_BYTES } from './range-lanes.js';

/**
 * A range of at most this many bytes hands its folder worker on once its last FETCH is answered
 * (on a far server): the next folder plans and asks for its first bodies while this one's last
 * APPENDs are answered. For a small folder those answers and its closing STATUS are most of its
 * time, and what it still holds meanwhile is small. A larger range keeps its worker until its
 * APPENDs are answered: its tail is a small part of its time, and the overlap would hold its
 * unanswered APPENDs and the next folder's first bodies at once (`bench:probe`, a batch of 8 × 150
 * messages at 60 ms: peak RSS 257–326 MB with every range handing over, 231–251 MB with none, and
 * no faster for it).
 * The same bound as a lane's least share: a range large enough for lanes never hands over.
 */
export const HAND_OVER_MAX_BYTES = LANE_MIN_BYTES;

/** Whether a range copying `messages` hands its worker on once they are read. */
export function handsOverWhenRead(messages: readonly Pick<MessageMeta, 'size'>[]): boolean {
  let bytes = 0;
  for (const m of messages) if ((bytes += m.size) > HAND_OVER_MAX_BYTES) return false;
  return true;
}
