import type { Settings } from '../config/settings.js';
import type { CheckpointStore } from '../domain/checkpoints/checkpoint-store.js';
import type { ImapConnections } from '../contracts/imap-ports.js';
import type { HeaderWordDecoder, IdentityKind } from './fingerprint.js';
import type { FingerprintCache } from './fingerprint-cache.js';
import type { Bandwidth } from './bandwidth.js';

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
}

/** What engine functions need; both drivers build it once per process (createEngine). */
export interface EngineDeps {
  settings: Settings;
  pool: ImapConnections;
  checkpoints: CheckpointStore;
  log: Logger;
  /** Destination fingerprints read for retry windows, kept for the process: a window read again costs no body FETCH. */
  fingerprints: FingerprintCache;
  /** RFC 2047 decoding for header-hash identities (a charset library, loaded on first use). */
  decodeHeaderWords: HeaderWordDecoder;
  /** The bandwidth caps of this process (optional: engines built without one move at full speed). */
  bandwidth?: Bandwidth;
}

/** Exchange regenerates MIME, so byte hashes of its copies never match the source's. */
export function destinationIdentity(settings: Settings): IdentityKind {
  return settings.destination.serverKind === 'exchange' ? 'header-hash' : 'content-hash';
}
