import type { CommandRecord } from '../../test/lab/fault-proxy.js';

/**
 * Round trips of a run, counted on the wire (fault proxies in front of both servers), not
 * timed. A round trip is a moment the client, over all its connections to both servers, had
 * no command unanswered and then sent one: it waited for every answer before it could go on.
 * Commands sent while another is in flight on any connection ride on that wait (pipelined or
 * overlapped), so N commands sent together count once. Each connection's set-up (TCP, TLS,
 * greeting) comes on top: `connections` says how many; set-ups that overlap cost one chain.
 * The proxies' clock has millisecond steps, so count with some delay on (the bench uses 20 ms):
 * then a command sent after an answer reaches the proxy a full hop after that answer did.
 */
export interface RoundTrips {
  /** Waits for IMAP answers, as above. */
  commandWaits: number;
  connections: number;
  commands: number;
}

export function countRoundTrips(logs: readonly (readonly CommandRecord[])[], connections: number): RoundTrips {
  const spans = logs.flat().map((c) => ({ at: c.at, done: c.doneAt ?? c.at })).sort((a, b) => a.at - b.at);
  let waits = 0;
  let busyUntil = -Infinity;
  for (const s of spans) {
    if (s.at > busyUntil) waits += 1;
    busyUntil = Math.max(busyUntil, s.done);
  }
  return { commandWaits: waits, connections, commands: spans.length };
}
