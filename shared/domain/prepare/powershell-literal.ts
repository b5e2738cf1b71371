// Emitting untrusted text into a PowerShell script. A single-quoted string is PowerShell's only
// literal without expansion ($var, $(...), backtick escapes are all inert inside it); the one
// hazard left is the quote itself. PowerShell treats the typographic single quotes ‘ ’ ‚ ‛ as
// quote characters too (about_Quoting_Rules), so all five are doubled, not just the ASCII one.

const SINGLE_QUOTES = /['\u2018\u2019\u201a\u201b]/g;

/** `value` as a PowerShell single-quoted string literal. */
export function powerShellSingleQuoted(value: string): string {
  return `'${value.replace(SINGLE_QUOTES, (quote) => quote + quote)}'`;
}

/**
 * The only characters a mailbox address may contain to be written into a script at all: RFC
 * 5322 atext minus `$` and backtick (PowerShell's expansion and escape characters), plus `.`
 * and `@`. Quoting alone would suffice; this keeps every other hazard (double and typographic
 * quotes, `;`, `$(...)`, line breaks) from ever reaching the script, even through a future bug.
 */
const SCRIPT_SAFE_ADDRESS_CHARACTER = /[A-Za-z0-9.!#%&'*+/=?^_{|}~@-]/u;

/** The distinct characters of `address` that may not be written into a script, in order. */
export function unsafeScriptCharacters(address: string): string[] {
  return [...new Set([...address].filter((char) => !SCRIPT_SAFE_ADDRESS_CHARACTER.test(char)))];
}

/** `$name = @( … )`: `values` as a PowerShell array of single-quoted literals, one per line. */
export function powerShellArray(name: string, values: readonly string[]): string[] {
  return [`$${name} = @(`, ...values.map((v, i) => `    ${powerShellSingleQuoted(v)}${i < values.length - 1 ? ',' : ''}`), ')'];
}

/** "1 mailbox", "3 mailboxes": the scripts' comments and messages. */
export const mailboxCount = (n: number): string => (n === 1 ? '1 mailbox' : `${n} mailboxes`);
