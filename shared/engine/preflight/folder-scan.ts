import type { SourceReader } from '../../contracts/imap-ports.js';
import { OVER_LIMIT_LISTED, type PreflightStats } from './types.js';
import type { DateWindow } from '../../contracts/mailbox-controls.js';
import { inWindow, isOpenWindow } from '../../domain/controls/date-window.js';

/** Messages per size FETCH: bounded memory per window, whatever the folder holds (up to 1,000,000 on Exchange). */
export const SIZE_WINDOW = 5_000;

/**
 * Counts and sizes the folders the migration would copy. STATUS gives the count; sizes come from
 * FETCH RFC822.SIZE by sequence number in windows, keeping only sums, the maximum and the first
 * over-limit messages, so a million-message folder costs 200 round trips and no more memory
 * than one window. Exchange gives no APPENDLIMIT, so the limit is the MAX_MESSAGE_BYTES setting.
 */
export async function scanSourceSizes(session: SourceReader, folders: readonly string[], maxMessageBytes: number, window = SIZE_WINDOW, dates?: DateWindow): Promise<PreflightStats> {
  const stats: PreflightStats = { folders: folders.length, messages: 0, bytes: 0, largestMessageBytes: 0, overLimit: [], overLimitCount: 0 };
  // Under a date window only its messages count (and can be too large); the rest are counted apart.
  const windowed = !isOpenWindow(dates);
  if (windowed) stats.outsideWindow = 0;
  for (const folder of folders) {
    const status = await session.status(folder);
    if (status.messages === 0) continue;
    // EXAMINE (read-only): looking must not change \Recent or anything else.
    const selected = await session.select(folder, true);
    for (let start = 1; start <= selected.messages; start += window) {
      const end = Math.min(selected.messages, start + window - 1);
      for (const m of await session.fetchMeta(`${start}:${end}`, true)) {
        if (windowed && !inWindow(dates, m.internalDate)) {
          stats.outsideWindow = (stats.outsideWindow ?? 0) + 1;
          continue;
        }
        stats.messages += 1;
        stats.bytes += m.size;
        if (m.size > stats.largestMessageBytes) stats.largestMessageBytes = m.size;
        if (m.size > maxMessageBytes) {
          stats.overLimitCount += 1;
          if (stats.overLimit.length < OVER_LIMIT_LISTED) stats.overLimit.push({ folder, uid: m.uid, size: m.size });
        }
      }
    }
  }
  return stats;
}
