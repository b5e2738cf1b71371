import type { ErrorSite } from '../../errors/classify.js';
import type { CommandGate, MessageMeta, MessageWithSource, SelectedFolder } from './imap-session.js';

/**
 * What copying needs of a source connection: open a folder read-only, list its messages' metadata,
 * stream their bodies. Served by a raw connection (raw-source.ts) where the server allows one,
 * else by an imapflow session (ImapSession has the same methods).
 */
export interface SourceReader {
  readonly site: ErrorSite;
  readonly usable: boolean;
  useGate(gate: CommandGate | undefined): void;
  select(path: string, readOnly: boolean): Promise<SelectedFolder>;
  fetchMeta(range: string, bySeq?: boolean): Promise<MessageMeta[]>;
  /** Bodies of a bounded UID set, as they arrive; nothing else may be sent on the connection meanwhile. */
  fetchSources(uids: string): AsyncGenerator<MessageWithSource>;
  close(): Promise<void>;
}
