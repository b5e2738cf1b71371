import type { DateWindow, MailboxControls } from '../contracts/mailbox-controls.js';
import type { MessageMeta } from '../contracts/imap.js';
import type { FolderCheckpoint } from '../domain/checkpoints/folder-checkpoint.js';
import { isCovered } from '../domain/checkpoints/window-coverage.js';
import { inWindow, isOpenWindow } from '../domain/controls/date-window.js';
import { controlsWindow, effectiveControls } from '../domain/controls/read-controls.js';
import type { EngineDeps } from './engine-deps.js';

/** The date window of a pass over this pair or folder: the row's (CSV) over the batch's (settings). */
export function passWindow(deps: Pick<EngineDeps, 'settings'>, of: { controls?: MailboxControls }): DateWindow {
  return controlsWindow(effectiveControls(deps.settings.controls, of.controls));
}

/** A source message this pass must copy: in its window, and not copied (or settled) by an earlier range. */
export function wantedBy(cp: Pick<FolderCheckpoint, 'lastUid' | 'coverage'> | undefined, window: DateWindow): (m: Pick<MessageMeta, 'uid' | 'internalDate'>) => boolean {
  return (m) => inWindow(window, m.internalDate) && !(cp && isCovered(cp, m.uid, m.internalDate));
}

/** The pass's date window for the report; nothing when it copies all dates. */
export function reportedWindow(deps: Pick<EngineDeps, 'settings'>, of: { controls?: MailboxControls }): { dateWindow?: DateWindow } {
  const w = passWindow(deps, of);
  return isOpenWindow(w) ? {} : { dateWindow: w };
}

/** The bandwidth caps a pass ran under, for the report; nothing without a cap. */
export function reportedCaps(deps: Pick<EngineDeps, 'settings'>, of: { controls?: MailboxControls }): { bandwidth?: { mailboxBytesPerSecond?: number; batchBytesPerSecond?: number } } {
  const mailbox = effectiveControls(deps.settings.controls, of.controls).maxBytesPerSecond;
  const batch = deps.settings.batchBytesPerSecond;
  if (!mailbox && !batch) return {};
  return { bandwidth: { ...(mailbox ? { mailboxBytesPerSecond: mailbox } : {}), ...(batch ? { batchBytesPerSecond: batch } : {}) } };
}
