// Compact IMAP uid-sets (RFC 3501 §9 sequence-set, UIDs only, no "*"): how a range names the
// exact messages it copies when it copies only some of its UIDs.

/** "3,5:7,10" for [3, 5, 6, 7, 10]; the input in any order, duplicates ignored. */
export function compactUidSet(uids: Iterable<number>): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    const start = sorted[i]!;
    let end = start;
    while (sorted[i + 1] === end + 1) end = sorted[++i]!;
    parts.push(start === end ? String(start) : `${start}:${end}`);
    i += 1;
  }
  return parts.join(',');
}

/** The UIDs of a compact uid-set; throws RangeError on anything else (it came from our own plan). */
export function uidsOf(set: string): Set<number> {
  const out = new Set<number>();
  if (set === '') return out;
  for (const part of set.split(',')) {
    const m = /^(\d+)(?::(\d+))?$/.exec(part);
    if (!m) throw new RangeError(`not a uid-set: ${JSON.stringify(set.slice(0, 40))}`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    for (let u = Math.min(a, b); u <= Math.max(a, b); u += 1) out.add(u);
  }
  return out;
}
