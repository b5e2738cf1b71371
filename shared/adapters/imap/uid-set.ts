/**
 * The UIDs of an APPENDUID uid-set (RFC 4315), in the order the server lists them: "7",
 * "7:9", "3,5:6". With MULTIAPPEND the set names the new messages in the order they were sent.
 * Returns undefined for anything that is not a uid-set.
 */
export function expandUidSet(set: string, max = 100_000): number[] | undefined {
  const out: number[] = [];
  for (const part of set.split(',')) {
    const m = /^(\d+)(?::(\d+))?$/.exec(part);
    if (!m) return undefined;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    const [lo, hi] = a <= b ? [a, b] : [b, a];
    if (lo < 1 || hi - lo + out.length >= max) return undefined;
    for (let u = lo; u <= hi; u++) out.push(u);
  }
  return out;
}
