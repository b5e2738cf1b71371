import type { ErrorSite } from '../../errors/classify.js';
import type { CommandGate } from '../../contracts/imap.js';
import type { DestinationFolders } from '../../contracts/imap-ports.js';

/**
 * What preparing and copying need of a connection (the folder part of the engine's ports), plus
 * what the pool needs to keep it: served by a raw connection (raw-folder-session.ts) where the
 * server allows one, else by an imapflow session (ImapSession).
 */
export interface FolderSession extends DestinationFolders {
  readonly site: ErrorSite;
  readonly usable: boolean;
  useGate(gate: CommandGate | undefined): void;
  close(): Promise<void>;
}
