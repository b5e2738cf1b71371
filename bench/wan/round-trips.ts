import type { CommandRecord } from '../../test/lab/fault-proxy.js';

/**
 * Round trips of a run, counted on the wire (fault proxies in front of both servers), not
 * timed. A wait is a moment a connection had no command unanswered and then sent one: it had
 * to have every answer before it could go on. Commands sent while another is in flight ride on
 * that wait (pipelined), so N STATUS sent together count once. LOGOUT is left out: neither
 * tool needs its answer to finish its work.
 *
 * - `commandWaits`: summed over every connection of the run. It does not depend on timing, and
 *   bounds the chain from above (connections working side by side overlap their waits).
 * - `criticalWaits`: the same over all connections at once (a wait only when no connection had
 *   anything in flight): the chain the run really waited through; it varies by one or two with
 *   how the connections happen to overlap.
 * Each connection's set-up (TCP, TLS, greeting) comes on top: `connections` says how many.
 * The proxies' clock has millisecond steps, so count with some delay on (the bench uses 20 ms):
 * then a command sent after an answer reaches the proxy a full hop after that answer did.
 */
export interface RoundTrips {
  commandWaits: number;
  criticalWaits: number;
  connections: number;
  commands: number;
}

interface Span {
  at: number;
  done: number;
}

function waits(spans: Span[]): number {
  let n = 0;
  let busyUntil = -Infinity;
  for (const s of [...spans].sort((a, b) => a.at - b.at)) {
    if (s.at > busyUntil) n += 1;
    busyUntil = Math.max(busyUntil, s.done);
  }
  return n;
}

export function countRoundTrips(logs: readonly (readonly CommandRecord[])[], connections: number): RoundTrips {
  const byConnection = new Map<string, Span[]>();
  const all: Span[] = [];
  for (const [side, log] of logs.entries()) {
    for (const c of log) {
      if (c.name === 'LOGOUT') continue;
      const span = { at: c.at, done: c.doneAt ?? c.at };
      all.push(span);
      const key = `${side}/${c.connection}`;
      byConnection.set(key, [...(byConnection.get(key) ?? []), span]);
    }
  }
  const summed = [...byConnection.values()].reduce((n, spans) => n + waits(spans), 0);
  return { commandWaits: summed, criticalWaits: waits(all), connections, commands: all.length };
}
