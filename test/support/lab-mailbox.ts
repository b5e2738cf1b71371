import type { LabInfo } from '../lab/lab-info.js';
import { addMailbox, uniqueAddress, type MailboxOptions } from '../lab/mailboxes.js';
import { seedMailbox, type SeedFolder } from '../lab/seed.js';
import { compareSnapshots, snapshotMailbox, type SnapshotComparison } from '../lab/snapshot.js';

/**
 * One source mailbox seeded with `folders` and an empty destination mailbox of the same address,
 * unique to this test (test files share one lab).
 */
export async function seededPair(lab: LabInfo, prefix: string, folders: SeedFolder[], destination: MailboxOptions = {}): Promise<string> {
  const address = uniqueAddress(prefix);
  await addMailbox(lab, 'source', address);
  await addMailbox(lab, 'destination', address, destination);
  await seedMailbox(lab, 'source', address, folders);
  return address;
}

/** Source against destination, message by message (hash, size, flags, INTERNALDATE). */
export async function compareCopy(lab: LabInfo, address: string): Promise<SnapshotComparison> {
  const [src, dst] = await Promise.all([snapshotMailbox(lab, 'source', address), snapshotMailbox(lab, 'destination', address)]);
  return compareSnapshots(src, dst);
}

/** Messages (by content hash) present more than once in one destination folder. */
export async function duplicatesAtDestination(lab: LabInfo, address: string): Promise<string[]> {
  const dst = await snapshotMailbox(lab, 'destination', address);
  const out: string[] = [];
  for (const [folder, f] of Object.entries(dst.folders)) {
    const seen = new Map<string, number>();
    for (const m of f.messages) seen.set(m.sha256, (seen.get(m.sha256) ?? 0) + 1);
    for (const [hash, n] of seen) if (n > 1) out.push(`${folder}: ${hash.slice(0, 12)} x${n}`);
  }
  return out;
}
