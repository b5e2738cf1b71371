import { describe, expect, it } from 'vitest';
import { CommandDispatcher } from '../../../../../shared/adapters/imap/protocol/command-dispatcher.js';
import type { ImapResponse } from '../../../../../shared/adapters/imap/protocol/imap-response.js';
import { ImapFailure } from '../../../../../shared/errors/imap-failure.js';

const line = (text: string): ImapResponse => ({ parts: [text], literals: [] });

function dispatcher(opts: { onUnclaimed?: (r: ImapResponse) => void } = {}): { d: CommandDispatcher; written: string[] } {
  const written: string[] = [];
  const d = new CommandDispatcher({ tagPrefix: 'A', write: (parts) => written.push(parts.map((p) => (typeof p === 'string' ? p : p.toString('latin1'))).join('')), ...opts });
  return { d, written };
}

describe('CommandDispatcher', () => {
  it('writes each command with its own tag, in the order sent', () => {
    const { d, written } = dispatcher();
    d.send(['NOOP\r\n']);
    d.send(['APPEND "x" {3+}\r\n', Buffer.from('abc'), '\r\n']);
    expect(written).toEqual(['A1 NOOP\r\n', 'A2 APPEND "x" {3+}\r\nabc\r\n']);
    expect(d.inFlight).toBe(2);
  });

  it('answers given out of order settle the commands they are tagged for (RFC 3501 §5.5)', async () => {
    const { d } = dispatcher();
    const a = d.send(['NOOP\r\n']).answer;
    const b = d.send(['NOOP\r\n']).answer;
    d.receive(line('A2 OK [APPENDUID 7 12] second'));
    d.receive(line('A1 NO [OVERQUOTA] full'));
    await expect(b).resolves.toBe('OK [APPENDUID 7 12] second');
    await expect(a).rejects.toMatchObject({ kind: 'no', code: 'OVERQUOTA', text: 'full' });
    expect(d.inFlight).toBe(0);
  });

  it('a BAD, or a status it does not know, rejects as bad', async () => {
    const { d } = dispatcher();
    const a = d.send(['X\r\n']).answer;
    const b = d.send(['Y\r\n']).answer;
    d.receive(line('A1 BAD [CLIENTBUG] nonsense'));
    d.receive(line('A2 WHAT'));
    await expect(a).rejects.toMatchObject({ kind: 'bad', code: 'CLIENTBUG', text: 'nonsense' });
    await expect(b).rejects.toMatchObject({ kind: 'bad' });
  });

  it('a tagged answer for no command in flight is ignored', async () => {
    const { d } = dispatcher();
    const a = d.send(['NOOP\r\n']).answer;
    d.receive(line('Z9 OK stray'));
    expect(d.inFlight).toBe(1);
    d.receive(line('A1 OK done'));
    await expect(a).resolves.toBe('OK done');
  });

  it('an untagged answer goes to the oldest command in flight with a handler for its keyword', async () => {
    const { d } = dispatcher();
    const seen: string[] = [];
    const first = d.send(['STATUS a\r\n'], { STATUS: (r) => seen.push(`A1 ${r.parts[0]}`) }).answer;
    const second = d.send(['FETCH 1\r\n'], { FETCH: (r) => seen.push(`A2 ${r.parts[0]}`), STATUS: (r) => seen.push(`A2 ${r.parts[0]}`) }).answer;
    d.receive(line('* 1 FETCH (UID 4)'));
    d.receive(line('* STATUS "a" (MESSAGES 1)'));
    d.receive(line('A1 OK'));
    d.receive(line('* status "b" (MESSAGES 2)'));
    d.receive(line('A2 OK'));
    await Promise.all([first, second]);
    expect(seen).toEqual(['A2 * 1 FETCH (UID 4)', 'A1 * STATUS "a" (MESSAGES 1)', 'A2 * status "b" (MESSAGES 2)']);
  });

  it('an untagged answer no command claims goes to onUnclaimed, and is dropped without it', () => {
    const unclaimed: string[] = [];
    const { d } = dispatcher({ onUnclaimed: (r) => unclaimed.push(r.parts[0]!) });
    d.send(['APPEND x\r\n']);
    d.receive(line('* 3 EXISTS'));
    d.receive(line('* OK still here'));
    expect(unclaimed).toEqual(['* 3 EXISTS', '* OK still here']);
    const bare = dispatcher().d;
    expect(() => bare.receive(line('* 3 EXISTS'))).not.toThrow();
  });

  it('a handler stops receiving once its command is answered', () => {
    const unclaimed: string[] = [];
    const { d } = dispatcher({ onUnclaimed: (r) => unclaimed.push(r.parts[0]!) });
    const seen: string[] = [];
    d.send(['FETCH 1\r\n'], { FETCH: (r) => seen.push(r.parts[0]!) });
    d.receive(line('* 1 FETCH (UID 1)'));
    d.receive(line('A1 OK'));
    d.receive(line('* 2 FETCH (FLAGS ())'));
    expect(seen).toEqual(['* 1 FETCH (UID 1)']);
    expect(unclaimed).toEqual(['* 2 FETCH (FLAGS ())']);
  });

  it('a BYE fails every command in flight and every later one, without writing them', async () => {
    const failed: unknown[] = [];
    const written: string[] = [];
    const d = new CommandDispatcher({ tagPrefix: 'P', write: (p) => written.push(String(p[0])), onFailed: (e) => failed.push(e) });
    const a = d.send(['APPEND\r\n']).answer;
    const b = d.send(['APPEND\r\n']).answer;
    d.receive(line('* BYE [UNAVAILABLE] Session invalidated - AccessTokenExpired'));
    d.receive(line('P1 OK too late'));
    await expect(a).rejects.toMatchObject({ kind: 'bye', code: 'UNAVAILABLE', text: 'Session invalidated - AccessTokenExpired', responseText: '[UNAVAILABLE] Session invalidated - AccessTokenExpired' });
    await expect(b).rejects.toBe(failed[0]);
    await expect(d.send(['NOOP\r\n']).answer).rejects.toBe(failed[0]);
    expect(written).toEqual(['P1 ', 'P2 ']);
    expect(failed).toHaveLength(1);
  });

  it('toError turns every failure into what callers get, once for all commands', async () => {
    const d = new CommandDispatcher({ tagPrefix: 'A', write: () => undefined, toError: (f) => ({ wrapped: f instanceof ImapFailure ? f.kind : 'other' }) });
    const a = d.send(['X\r\n']).answer;
    d.receive(line('A1 NO nope'));
    await expect(a).rejects.toEqual({ wrapped: 'no' });
    const b = d.send(['X\r\n']).answer;
    d.fail(new ImapFailure('timeout', '', 'no answer'));
    await expect(b).rejects.toEqual({ wrapped: 'timeout' });
    expect(d.failure).toEqual({ wrapped: 'timeout' });
  });

  it('retag changes the prefix and the numbers go on', () => {
    const { d, written } = dispatcher();
    d.send(['A\r\n']);
    d.retag('P');
    d.send(['B\r\n']);
    expect(written).toEqual(['A1 A\r\n', 'P2 B\r\n']);
  });

  it('onTagged is told of an answer before its command settles', async () => {
    const order: string[] = [];
    const d = new CommandDispatcher({ tagPrefix: 'A', write: () => undefined, onTagged: (t) => order.push(`tagged ${t}`) });
    const a = d.send(['X\r\n']).answer.then(() => order.push('settled'));
    d.receive(line('A1 OK'));
    await a;
    expect(order).toEqual(['tagged A1', 'settled']);
  });

  it('continuation requests are ignored', () => {
    const { d } = dispatcher();
    d.send(['X\r\n']);
    d.receive(line('+ go ahead'));
    expect(d.inFlight).toBe(1);
  });
});
