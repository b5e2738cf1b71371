import type { ErrorSite } from '../../errors/classify.js';
import type { CommandGate, FolderStatus, ListedFolder, MessageMeta, MessageWithSource, SelectedFolder } from '../../contracts/imap.js';

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
  /**
   * STATUS of several folders, pipelined where the connection allows it (one round trip instead
   * of one per folder). A folder missing from the answer could not be read: ask it alone with
   * status() to learn why.
   */
  statusMany(paths: readonly string[]): Promise<Map<string, FolderStatus>>;
  createFolder(path: string): Promise<void>;
  select(path: string, readOnly: boolean): Promise<SelectedFolder>;
  fetchMeta(range: string, bySeq?: boolean): Promise<MessageMeta[]>;
  /** Bodies of a bounded UID set, as they arrive; nothing else may be sent on the connection meanwhile. */
  fetchSources(uids: string): AsyncGenerator<MessageWithSource>;
  close(): Promise<void>;
}
