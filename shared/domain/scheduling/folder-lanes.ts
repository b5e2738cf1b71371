/**
 * Splits a mailbox's folders into `lanes` lists copied side by side, each one folder after
 * another, so that no lane waits for another: the largest folders first, each to the lane with
 * the least work so far (longest-processing-time first, within 4/3 of the best split). A lane
 * lists its folders in their original order. Indices into `pending` (messages per folder).
 */
export function assignLanes(pending: readonly number[], lanes: number): number[][] {
  const n = Math.max(1, Math.min(lanes, pending.length));
  const out: number[][] = Array.from({ length: n }, () => []);
  const load = new Array<number>(n).fill(0);
  const bySize = pending.map((p, i) => i).sort((a, b) => pending[b]! - pending[a]! || a - b);
  for (const i of bySize) {
    let lane = 0;
    for (let k = 1; k < n; k++) if (load[k]! < load[lane]!) lane = k;
    out[lane]!.push(i);
    // An empty folder still costs a few calls: it weighs at least one message.
    load[lane]! += Math.max(1, pending[i]!);
  }
  return out.map((l) => l.sort((a, b) => a - b)).filter((l) => l.length > 0);
}
