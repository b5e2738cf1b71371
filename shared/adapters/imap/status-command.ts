import type { FolderStatus } from '../../contracts/imap.js';
import type { ErrorSite } from '../../errors/classify.js';
import { MigrationError } from '../../errors/migration-error.js';
import { parseStatus } from './list-response.js';
import { commandLine, quotedMailbox } from './protocol/command-compiler.js';
import type { RawImapConnection } from './raw-connection.js';

/** One folder's STATUS (MESSAGES UIDNEXT UIDVALIDITY) on a raw connection, after whatever was sent on it before. */
export async function askStatus(conn: Pick<RawImapConnection, 'command'>, path: string, site: ErrorSite): Promise<FolderStatus> {
  let found: FolderStatus | undefined;
  await conn.command([commandLine(`STATUS ${quotedMailbox(path)} (MESSAGES UIDNEXT UIDVALIDITY)`)], {
    STATUS: (r) => {
      const s = parseStatus(r);
      if (s) found = { messages: s.messages, uidNext: s.uidNext, uidValidity: s.uidValidity };
    },
  });
  if (!found) throw new MigrationError('FOLDER_NOT_FOUND', 'permanent', `${site} IMAP: no STATUS for folder "${path}"`);
  return found;
}
