import type { CommandLine } from './fault-proxy-stream.js';

/**
 * The faults the proxy can inject, chosen per test. A command fault fires on the nth command
 * (counted over every connection of the proxy) that matches its name, arguments and mailbox.
 */

export interface CommandMatch {
  /** Command name, upper case, `UID FETCH` style; a RegExp is tested against the name. */
  name: string | RegExp;
  /** Tested against the rest of the first line, e.g. /BODY/ for body fetches. */
  args?: RegExp;
  /** Only commands on connections logged in as this mailbox (case-insensitive). */
  user?: string;
  /** Fire on the nth matching command (1-based); default 1. */
  nth?: number;
  /** Fire on this many matches from the nth on; default 1. */
  times?: number;
}

export type CommandAction =
  /** Close both sides before the command reaches the server. */
  | { kind: 'cut' }
  /** Forward the command; close after this many bytes of server data that follow it. */
  | { kind: 'cut-in-response'; afterBytes: number }
  /** Forward the command line and this many bytes of its (first) literal, then close. */
  | { kind: 'cut-in-literal'; afterBytes: number }
  /** Relay the server's `+` continuation for this command to the client, then close. */
  | { kind: 'cut-after-continuation' }
  /** Forward everything (the server completes the command), swallow the tagged reply, close. */
  | { kind: 'cut-before-tagged-reply' }
  /** Answer `<tag> <text>` ourselves; the server never sees the command. */
  | { kind: 'answer'; text: string }
  /** Send `* BYE <text>` and close; the server never sees the command. */
  | { kind: 'bye'; text: string }
  /** Hold the command this long before forwarding it. */
  | { kind: 'delay'; ms: number }
  /** Hold the command until `run` settles (e.g. a change made at the server meanwhile), then forward it. */
  | { kind: 'hold'; run: (cmd: CommandLine) => Promise<void> };

export interface CommandFault {
  on: CommandMatch;
  action: CommandAction;
}

export type Direction = 'client-to-server' | 'server-to-client';

export interface ByteFault {
  direction: Direction;
  /** Bytes relayed in that direction (on that connection) before the cut. */
  afterBytes: number;
  /** Only the nth connection through the proxy (1-based); default: the first one to get there. */
  connection?: number;
}

/** Exchange's words for throttling (ARCHITECTURE.md): `NO Request is throttled. Suggested Backoff Time: N milliseconds`. */
export function throttledAnswer(backoffMs: number): CommandAction {
  return { kind: 'answer', text: `NO Request is throttled. Suggested Backoff Time: ${backoffMs} milliseconds` };
}

/** What Exchange sends when the session's token expires. */
export const TOKEN_EXPIRED_BYE: CommandAction = { kind: 'bye', text: 'Session invalidated - AccessTokenExpired' };

export interface FiredFault {
  action: CommandAction['kind'] | 'cut-after-bytes';
  connection: number;
  user?: string;
  tag?: string;
  command?: string;
  at: number;
}

/** A command fault with its match counter. */
export class ArmedFault {
  private seen = 0;
  private fired = 0;

  constructor(readonly fault: CommandFault) {}

  /** Counts a matching command and says whether the fault fires on it. */
  take(cmd: CommandLine, user: string | undefined): boolean {
    const on = this.fault.on;
    const nameOk = typeof on.name === 'string' ? on.name.toUpperCase() === cmd.name : on.name.test(cmd.name);
    if (!nameOk || (on.args && !on.args.test(cmd.args))) return false;
    if (on.user !== undefined && on.user.toLowerCase() !== user?.toLowerCase()) return false;
    this.seen += 1;
    if (this.seen < (on.nth ?? 1) || this.fired >= (on.times ?? 1)) return false;
    this.fired += 1;
    return true;
  }

  get spent(): boolean {
    return this.fired >= (this.fault.on.times ?? 1);
  }
}
