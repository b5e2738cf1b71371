import type { ErrorSite } from '../../errors/classify.js';
import { redact } from '../../errors/redact.js';

/** Sees every IMAP command sent (as imapflow logs it, or as a raw connection writes it: credentials masked, then redacted). */
export type ImapCommandObserver = (site: ErrorSite, command: string) => void;

let observer: ImapCommandObserver | undefined;

/**
 * Installs (or, with undefined, removes) the process-wide command observer: for tests that
 * count commands and for diagnosing a slow migration. Off by default.
 */
export function observeImapCommands(o: ImapCommandObserver | undefined): void {
  observer = o;
}

/** The observer now installed (imapflow sessions log to it). */
export function commandObserver(): ImapCommandObserver | undefined {
  return observer;
}

/** Tells the observer (if any) of a command sent on a connection imapflow does not see (raw-connection.ts). */
export function observedCommand(site: ErrorSite, command: string): void {
  observer?.(site, redact(command));
}
