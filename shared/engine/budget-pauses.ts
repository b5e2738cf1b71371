import type { HeldSlot } from './pass-slots.js';

/**
 * One mailbox's waits for its byte budget's next window. Its folders reach the budget one after
 * another, and the mailbox waits as one: the first folder to pause hands the batch's pass slot
 * back (the mailbox's other folders stop at their next FETCH, which the same budget refuses),
 * and every paused folder goes on only once the slot is held again. Without a slot (the app, a
 * lone run), a wait is a wait.
 */
export class BudgetPauses {
  private yielded = false;
  private reclaiming?: Promise<void>;

  constructor(private readonly slot?: HeldSlot) {}

  async until(resumesAt: string): Promise<void> {
    if (this.slot && !this.yielded) {
      this.yielded = true;
      this.slot.yield();
    }
    await sleepUntil(resumesAt);
    if (!this.slot || !this.yielded) return;
    this.reclaiming ??= this.slot.reclaim().then(() => {
      this.yielded = false;
      this.reclaiming = undefined;
    });
    await this.reclaiming;
  }
}

/** Resolves at `at` (ISO 8601), at once if it has passed. */
export const sleepUntil = (at: string): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(at) - Date.now())));
