import type { ErrorSite } from '../../errors/classify.js';
import type { CommandGate, FolderStatus, ListedFolder, MessageMeta, MessageWithSource, SelectedFolder } from './imap-session.js';

/**
 * What preparing and copying need of a connection: list, STATUS and create folders, open one
 * read-only, list its messages' metadata, stream their bodies. Served by a raw connection
 * (raw-folder-session.ts) where the server allows one, else by an imapflow session (ImapSession has the
 * same methods).
 */
export interface FolderSession {
  readonly site: ErrorSite;
  readonly usable: boolean;
  useGate(gate: CommandGate | undefined): void;
  listFolders(): Promise<ListedFolder[]>;
  status(path: string): Promise<FolderStatus>;
  createFolder(path: string): Promise<void>;
  select(path: string, readOnly: boolean): Promise<SelectedFolder>;
  fetchMeta(range: string, bySeq?: boolean): Promise<MessageMeta[]>;
  /** Bodies of a bounded UID set, as they arrive; nothing else may be sent on the connection meanwhile. */
  fetchSources(uids: string): AsyncGenerator<MessageWithSource>;
  close(): Promise<void>;
}
