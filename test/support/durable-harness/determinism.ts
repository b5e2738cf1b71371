// The replay check: the same history, replayed twice, must produce the same reply. The host never
// does this; it only notices a divergence when a later episode's replay contradicts the history
// (see dtfx-action-shim.ts). Replaying twice at once catches the divergence in the episode that causes
// it, including code paths a single test run would not reach on a second episode.
import type { EpisodeOutcome } from './executor.js';
import { describeAction, toJson, type WireAction } from './wire.js';

const flatten = (actions: WireAction[]): string[] => actions.map(describeAction);

/** A readable list of differences, or undefined when the two replays agree. */
export function diffEpisodes(first: EpisodeOutcome, second: EpisodeOutcome): string | undefined {
  const lines: string[] = [];
  const a = flatten(first.state.actions);
  const b = flatten(second.state.actions);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    lines.push(`  action #${i}:`, `    first replay : ${a[i] ?? '(none)'}`, `    second replay: ${b[i] ?? '(none)'}`);
  }
  const compare = (label: string, x: unknown, y: unknown): void => {
    const [jx, jy] = [toJson(x), toJson(y)];
    if (jx !== jy) lines.push(`  ${label}:`, `    first replay : ${jx}`, `    second replay: ${jy}`);
  };
  compare('failed', first.failed, second.failed);
  compare('isDone', first.state.isDone, second.state.isDone);
  compare('error', first.state.error, second.state.error);
  compare('output', first.state.output, second.state.output);
  compare('customStatus', first.state.customStatus, second.state.customStatus);
  return lines.length === 0 ? undefined : lines.join('\n');
}
