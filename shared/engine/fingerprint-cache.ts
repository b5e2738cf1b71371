/** Destination fingerprints an engine keeps (about 120 bytes each). */
export const FINGERPRINTS_KEPT = 200_000;

/**
 * Fingerprints of destination messages by UID, per folder and UIDVALIDITY. A UID names one
 * message for as long as its folder's UIDVALIDITY stands (RFC 3501 §2.3.1.1), so a fingerprint
 * once taken holds; which UIDs still exist is asked of the server every time. After a source
 * UIDVALIDITY change every range of the pass is compared with the whole destination folder: with
 * this cache each destination message is read once per process, not once per range.
 *
 * Bounded: least recently used folders go first, and a folder larger than the bound alone is
 * not cached beyond it (its ranges then read what is missing again).
 */
export class FingerprintCache {
  private readonly folders = new Map<string, Map<number, string>>();
  private size = 0;

  constructor(private readonly maxEntries: number) {}

  /** The folder's fingerprints (uid → fingerprint) as cached now; marks it most recently used. */
  folder(key: string): ReadonlyMap<number, string> {
    const f = this.folders.get(key);
    if (!f) return new Map();
    this.folders.delete(key);
    this.folders.set(key, f);
    return f;
  }

  add(key: string, uid: number, fingerprint: string): void {
    let f = this.folders.get(key);
    if (f?.has(uid)) return;
    for (const [other, entries] of this.folders) {
      if (this.size < this.maxEntries) break;
      if (other === key) continue;
      this.folders.delete(other);
      this.size -= entries.size;
    }
    if (this.size >= this.maxEntries) return;
    if (!f) {
      f = new Map();
      this.folders.set(key, f);
    }
    f.set(uid, fingerprint);
    this.size += 1;
  }

  get entries(): number {
    return this.size;
  }
}
