import { ImapFailure } from '../../errors/imap-failure.js';
import { MigrationError } from '../../errors/migration-error.js';

/**
 * A CREATE refused because the folder is there already (RFC 5530 ALREADYEXISTS, or a server
 * that says so only in words): the folder the caller wants exists, so it is not an error.
 * The response code comes from the raw connection's ImapFailure or imapflow's error.
 */
export function isAlreadyExists(e: unknown): boolean {
  if (!(e instanceof MigrationError)) return false;
  const code = e.cause instanceof ImapFailure ? e.cause.code : ((e.cause as { serverResponseCode?: string } | undefined)?.serverResponseCode ?? '');
  return code.toUpperCase() === 'ALREADYEXISTS' || /already exists/i.test(e.message);
}
