const SYSTEM_FLAGS = new Set(['\\seen', '\\answered', '\\flagged', '\\deleted', '\\draft']);

/**
 * Flags to APPEND with: \Recent cannot be set by a client (RFC 3501 §2.3.2); keywords survive
 * only where the destination's PERMANENTFLAGS has \* or names them — Exchange keeps only
 * $MDNSent — and the rest are counted as dropped instead of failing the message.
 */
export function appendFlags(flags: readonly string[], permanentFlags: readonly string[]): { flags: string[]; dropped: number } {
  const perm = new Set(permanentFlags.map((f) => f.toLowerCase()));
  const anyKeyword = perm.has('\\*') || perm.size === 0;
  const out: string[] = [];
  let dropped = 0;
  for (const f of flags) {
    const l = f.toLowerCase();
    if (l === '\\recent') continue;
    if (SYSTEM_FLAGS.has(l) || anyKeyword || perm.has(l)) out.push(f);
    else dropped += 1;
  }
  return { flags: out, dropped };
}
