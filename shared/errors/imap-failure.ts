/**
 * Why an IMAP command did not get its OK, as the raw protocol library (shared/adapters/imap/protocol)
 * sees it: a tagged NO or BAD, a BYE, the connection gone, or no answer in time. classify() reads
 * it in its own branch (imapFailureSignal), so the library never dresses up as another client's
 * error objects.
 */
export type ImapFailureKind = 'no' | 'bad' | 'bye' | 'closed' | 'timeout';

export class ImapFailure extends Error {
  constructor(
    readonly kind: ImapFailureKind,
    /** The response code's name, upper-cased (`TRYCREATE`, `OVERQUOTA`); '' without one. */
    readonly code: string,
    /** The human-readable text, the bracketed response code left out. */
    readonly text: string,
    /** Everything after the status word, response code included, as the server sent it. */
    readonly responseText: string = text,
  ) {
    super(`IMAP ${kind}${code ? ` [${code}]` : ''}${text ? `: ${text}` : ''}`);
    this.name = 'ImapFailure';
  }
}
