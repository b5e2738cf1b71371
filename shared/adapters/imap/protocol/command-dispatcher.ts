import type { ImapResponse } from './imap-response.js';
import { byeFailure, parseTaggedAnswer, refusal } from './tagged-answer.js';
import { untaggedKeyword, type UntaggedHandlers } from './untagged-routing.js';

interface Pending {
  tag: string;
  untagged: UntaggedHandlers;
  resolve: (rest: string) => void;
  reject: (e: unknown) => void;
}

export interface DispatcherOptions {
  /** Writes one command's pieces to the server, in order (the tag and its space first). */
  write: (parts: readonly (string | Buffer)[]) => void;
  tagPrefix: string;
  /** Turns a failure (an ImapFailure from the library, or what fail() was given) into what callers get; identity by default. */
  toError?: (failure: unknown) => unknown;
  /** Told of a tagged answer before its command settles (a command still being written ends first). */
  onTagged?: (tag: string) => void;
  /** Sees an untagged answer no command in flight has a handler for; without it such answers are dropped. */
  onUnclaimed?: (r: ImapResponse) => void;
  /** Told once when the connection fails (BYE, or fail()), after every command in flight has been rejected. */
  onFailed?: (error: unknown) => void;
}

/** A command sent: its tag and its tagged answer (the text after the tag of an OK). */
export interface SentCommand {
  tag: string;
  answer: Promise<string>;
}

/**
 * Matches commands to their answers on one connection. Tagged answers are matched by tag: many
 * commands may be in flight and a server may answer them out of order (RFC 3501 §5.5). An
 * untagged answer goes to the oldest command in flight that has a handler for its keyword; one
 * no command claims goes to `onUnclaimed` (a `* 5 EXISTS` in the middle of an APPEND pipeline,
 * an `* OK` note) and is otherwise dropped. A `* BYE` fails every command in flight and every
 * later one: the server is closing the connection (§7.1.5). `+` continuations are ignored: the
 * commands sent here use LITERAL+ and SASL-IR and never wait for one.
 */
export class CommandDispatcher {
  private readonly pending: Pending[] = [];
  private seq = 0;
  private tagPrefix: string;
  private failedWith?: unknown;

  constructor(private readonly opts: DispatcherOptions) {
    this.tagPrefix = opts.tagPrefix;
  }

  /** Tags from now on start with `prefix` (numbers go on, so tags stay unique). */
  retag(prefix: string): void {
    this.tagPrefix = prefix;
  }

  /** Sends a command (tag added) written as `parts`; its untagged answers go to `untagged`. */
  send(parts: readonly (string | Buffer)[], untagged: UntaggedHandlers = {}): SentCommand {
    const tag = `${this.tagPrefix}${++this.seq}`;
    if (this.failedWith !== undefined) return { tag, answer: Promise.reject(this.failedWith) };
    const answer = new Promise<string>((resolve, reject) => this.pending.push({ tag, untagged, resolve, reject }));
    this.opts.write([`${tag} `, ...parts]);
    return { tag, answer };
  }

  /** Takes one response from the framer. */
  receive(r: ImapResponse): void {
    if (this.failedWith !== undefined) return;
    const first = r.parts[0] ?? '';
    if (first.startsWith('*')) {
      this.onUntagged(r);
      return;
    }
    if (first.startsWith('+')) return;
    const answer = parseTaggedAnswer(r.parts.join(' '));
    const at = this.pending.findIndex((p) => p.tag === answer.tag);
    if (at < 0) return; // not ours (a tag of a previous owner's, long settled): nothing waits for it
    this.opts.onTagged?.(answer.tag);
    const [p] = this.pending.splice(at, 1) as [Pending];
    if (answer.status === 'OK') p.resolve(answer.rest);
    else p.reject(this.toError(refusal(answer)));
  }

  private onUntagged(r: ImapResponse): void {
    const keyword = untaggedKeyword(r);
    if (keyword === 'BYE') {
      this.fail(byeFailure(r.parts[0]!));
      return;
    }
    const handler = this.pending.find((p) => p.untagged[keyword] !== undefined)?.untagged[keyword];
    if (handler) handler(r);
    else this.opts.onUnclaimed?.(r);
  }

  /** Fails every command in flight and every later one with `failure` (converted by toError). */
  fail(failure: unknown): void {
    if (this.failedWith !== undefined) return;
    const error = this.toError(failure);
    this.failedWith = error;
    for (const p of this.pending.splice(0)) p.reject(error);
    this.opts.onFailed?.(error);
  }

  /** What every command now fails with; undefined while the connection works. */
  get failure(): unknown {
    return this.failedWith;
  }

  /** Commands sent and not yet answered. */
  get inFlight(): number {
    return this.pending.length;
  }

  private toError(failure: unknown): unknown {
    return this.opts.toError ? this.opts.toError(failure) : failure;
  }
}
