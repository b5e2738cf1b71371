import { describe, expect, it } from 'vitest';
import { ImapFailure } from '../../../../../shared/errors/imap-failure.js';
import { ResponseFramer } from '../../../../../shared/adapters/imap/protocol/response-framer.js';
import type { ImapResponse } from '../../../../../shared/adapters/imap/protocol/imap-response.js';
import { frame } from './transcript.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const lit = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('ResponseFramer', () => {
  it('a line ended by CRLF is one response with no literal', () => {
    expect(frame([b('* 3 EXISTS\r\n')]).responses).toEqual([{ parts: ['* 3 EXISTS'], literals: [] }]);
  });

  it('a line ended by a bare LF is read like one ended by CRLF', () => {
    expect(frame([b('A1 OK done\n* 1 RECENT\r\n')]).responses).toEqual([
      { parts: ['A1 OK done'], literals: [] },
      { parts: ['* 1 RECENT'], literals: [] },
    ]);
  });

  it('a literal is read as bytes: CRLF and a literal marker inside it do not end the response', () => {
    const { responses } = frame([b('* 1 FETCH (BODY[] {12}\r\na\r\n{3}\r\nA1 O)\r\n')]);
    expect(responses).toEqual([{ parts: ['* 1 FETCH (BODY[] ', ')'], literals: [lit('a\r\n{3}\r\nA1 O')] }]);
  });

  it('a {0} literal is an empty literal and the response goes on after it', () => {
    expect(frame([b('* 2 FETCH (BODY[] {0}\r\n UID 9)\r\n')]).responses).toEqual([{ parts: ['* 2 FETCH (BODY[] ', ' UID 9)'], literals: [Buffer.alloc(0)] }]);
  });

  it('two literals in one response are kept in order between three text parts', () => {
    expect(frame([b('* 1 FETCH (A {1}\r\nx B {2}\r\nyz)\r\n')]).responses).toEqual([{ parts: ['* 1 FETCH (A ', ' B ', ')'], literals: [lit('x'), lit('yz')] }]);
  });

  it('a CRLF split across two chunks loses no byte and makes no empty response', () => {
    expect(frame([b('A1 OK done\r'), b('\n')]).responses).toEqual([{ parts: ['A1 OK done'], literals: [] }]);
  });

  it('a literal split across chunks, its marker line too, is put back together', () => {
    expect(frame([b('* 1 FETCH (BODY[] {1'), b('0}\r'), b('\n01234'), b('56789)'), b('\r\n')]).responses).toEqual([{ parts: ['* 1 FETCH (BODY[] ', ')'], literals: [lit('0123456789')] }]);
  });

  it('a response not yet ended is delivered only once its last line arrives', () => {
    const framer = new ResponseFramer();
    const out: ImapResponse[] = [];
    framer.push(b('* 1 FETCH (BODY[] {3}\r\nabc'), (r) => out.push(r));
    expect(out).toEqual([]);
    framer.push(b(')\r\n'), (r) => out.push(r));
    expect(out).toHaveLength(1);
  });

  it('a line over the bound fails as a closed connection, whether it arrives whole or in pieces', () => {
    const long = b(`* ${'x'.repeat(40)}\r\n`);
    const whole = frame([b('* 1 RECENT\r\n'), long], 32);
    expect(whole.failure).toBe('IMAP closed: response line over 32 bytes');
    expect(whole.responses).toEqual([{ parts: ['* 1 RECENT'], literals: [] }]);
    expect(frame([long.subarray(0, 20), long.subarray(20, 40), long.subarray(40)], 32).failure).toBe(whole.failure);
  });

  it('a line of exactly the bound passes, even when its CR and LF arrive apart', () => {
    const line = `* ${'x'.repeat(30)}`;
    expect(frame([b(`${line}\r`), b('\n')], 32).responses).toEqual([{ parts: [line], literals: [] }]);
  });

  it('the bound is thrown as an ImapFailure of kind closed', () => {
    const framer = new ResponseFramer(4);
    let thrown: unknown;
    try {
      framer.push(b('123456'), () => undefined);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ImapFailure);
    expect(thrown).toMatchObject({ kind: 'closed' });
  });
});
