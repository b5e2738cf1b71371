import { describe, expect, it } from 'vitest';
import { terminalSafe } from '../../../../shared/domain/reports/terminal-text.js';

describe('terminalSafe', () => {
  it('an OSC title sequence in a Subject is shown as text, never sent to the terminal', () => {
    expect(terminalSafe('Invoice \x1b]0;pwned\x07 due')).toBe('Invoice \\x1b]0;pwned\\x07 due');
  });

  it('CR, LF and TAB cannot forge or break a line of output', () => {
    expect(terminalSafe('a\r\nPASS x -> y\tz')).toBe('a\\x0d\\x0aPASS x -> y\\x09z');
  });

  it('C1 controls (CSI 0x9b), DEL and the bidi overrides are escaped too', () => {
    expect(terminalSafe('\u009b2J\u007f\u202egnp.exe\u2066')).toBe('\\x9b2J\\x7f\\u202egnp.exe\\u2066');
  });

  it('ordinary text, accents and emoji are unchanged, and escaping twice changes nothing', () => {
    const text = 'Überweisung – Ünïcödé 📨 <id@x>';
    expect(terminalSafe(text)).toBe(text);
    expect(terminalSafe(terminalSafe('x\x1by'))).toBe('x\\x1by');
  });
});
