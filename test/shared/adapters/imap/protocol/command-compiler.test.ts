import { describe, expect, it } from 'vitest';
import { commandLine, nonSyncLiteral, quotedMailbox } from '../../../../../shared/adapters/imap/protocol/command-compiler.js';

describe('command compiling', () => {
  it('an ASCII mailbox name is quoted as it is, its quotes and backslashes escaped', () => {
    expect(quotedMailbox('Sent Items')).toBe('"Sent Items"');
    expect(quotedMailbox('a"b\\c')).toBe('"a\\"b\\\\c"');
  });

  it('a name with non-ASCII characters or & is sent in modified UTF-7 (RFC 3501 §5.1.3)', () => {
    expect(quotedMailbox('Gelöschte Elemente')).toBe('"Gel&APY-schte Elemente"');
    expect(quotedMailbox('R&D')).toBe('"R&-D"');
    expect(quotedMailbox('受信トレイ')).toBe('"&U9dP4TDIMOwwpA-"');
  });

  it('a non-synchronizing literal head and a command line end in CRLF', () => {
    expect(nonSyncLiteral(0)).toBe('{0+}\r\n');
    expect(nonSyncLiteral(1234)).toBe('{1234+}\r\n');
    expect(commandLine('NOOP')).toBe('NOOP\r\n');
  });
});
