import { iconv } from '../../lazy-modules.js';

/**
 * A mailbox name as an IMAP quoted string (RFC 3501 §4.3), in modified UTF-7 where it is not
 * ASCII (§5.1.3; `&` is encoded too, as `&-`).
 */
export function quotedMailbox(path: string): string {
  const encoded = /[&\u0080-\uffff]/.test(path) ? iconv().encode(path, 'utf-7-imap').toString('latin1') : path;
  return `"${encoded.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * The head of a non-synchronizing literal (LITERAL+, RFC 7888): its bytes follow at once, with
 * no wait for the server's "+". Only for a server that announced LITERAL+.
 */
export function nonSyncLiteral(bytes: number): string {
  return `{${bytes}+}\r\n`;
}

/** One command line, its CRLF added: the words of a command with no literal. */
export function commandLine(text: string): string {
  return `${text}\r\n`;
}
