// A small scanner for the parts of PowerShell that matter to the escaping tests: comments and
// string literals (about_Quoting_Rules). PowerShell treats ' and the typographic ‘ ’ ‚ ‛ alike
// as single quotes, and " with “ ” „ as double quotes; a doubled quote inside a literal is one
// quote character.

const SINGLE = new Set(["'", '\u2018', '\u2019', '\u201a', '\u201b']);
const DOUBLE = new Set(['"', '\u201c', '\u201d', '\u201e']);

export interface ScannedScript {
  /** Values of the single-quoted literals, escapes resolved. */
  singleQuoted: string[];
  /** Everything outside literals and comments: what PowerShell would run. */
  code: string;
  /** Raw text of double-quoted strings (expandable: $x and $(...) run inside them). */
  doubleQuoted: string[];
}

export function scanPowerShell(script: string): ScannedScript {
  const singleQuoted: string[] = [];
  const doubleQuoted: string[] = [];
  let code = '';
  let i = 0;
  /** Reads a literal opened at `i` and returns its value; backticks escape only in "..." strings. */
  const readLiteral = (quotes: Set<string>, backtickEscapes: boolean): string => {
    let value = '';
    i += 1;
    for (;;) {
      if (i >= script.length) throw new Error('unterminated string literal');
      const c = script[i] ?? '';
      if (backtickEscapes && c === '`') {
        value += c + (script[i + 1] ?? '');
        i += 2;
      } else if (quotes.has(c) && quotes.has(script[i + 1] ?? '')) {
        value += c;
        i += 2;
      } else if (quotes.has(c)) {
        i += 1;
        return value;
      } else {
        value += c;
        i += 1;
      }
    }
  };
  while (i < script.length) {
    const char = script[i] ?? '';
    if (char === '#') {
      while (i < script.length && script[i] !== '\n') i += 1;
    } else if (SINGLE.has(char)) {
      singleQuoted.push(readLiteral(SINGLE, false));
      code += "''";
    } else if (DOUBLE.has(char)) {
      doubleQuoted.push(readLiteral(DOUBLE, true));
      code += '""';
    } else {
      code += char;
      i += 1;
    }
  }
  return { singleQuoted, code, doubleQuoted };
}
