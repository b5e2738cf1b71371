/**
 * Counts a mailbox pass's folders down to the moment every one of them has read its source:
 * `folders` folders each call their `folder()` function once (more calls do nothing), and `done`
 * is told once, when the last has; at once when there is none.
 */
export class SourceReads {
  private left: number;

  constructor(
    folders: number,
    private readonly done?: () => void,
  ) {
    this.left = folders;
    if (folders === 0) done?.();
  }

  /** One folder's "read": the first call counts. */
  folder(): () => void {
    let told = false;
    return () => {
      if (told) return;
      told = true;
      this.left -= 1;
      if (this.left === 0) this.done?.();
    };
  }
}
