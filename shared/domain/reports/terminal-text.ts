/**
 * Text from a mailbox (subjects, folder names, Message-IDs, server answers that quote them) made
 * safe to print on a terminal. Mailbox text is written by strangers: an `ESC]0;…BEL` in a Subject
 * retitles the admin's terminal, other escape sequences move the cursor, clear lines or rewrite
 * what was printed before, a CR or LF forges a line of output (`PASS …`), and the bidirectional
 * overrides reorder what is shown (Trojan Source, CVE-2021-42574). Each such character is shown
 * as a visible escape (`\x1b`, `\u202e`) instead of being acted on; everything else is unchanged.
 * Reports in files keep the text as it is: HTML and CSV have their own escaping (report-html.ts,
 * csv-cell.ts).
 */
// C0 controls (with TAB, CR, LF), DEL, C1 controls, the bidi embeddings, overrides and isolates,
// and the line/paragraph separators some terminals treat as new lines.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
