import type { ErrorSite } from '../../errors/classify.js';
import { MigrationError } from '../../errors/migration-error.js';
import type { ImapResponse } from './protocol/imap-response.js';
import type { UntaggedHandlers } from './protocol/untagged-routing.js';

/** What SELECT/EXAMINE tells the engine. */
export interface SelectAnswer {
  uidValidity: string;
  uidNext: number;
  messages: number;
  permanentFlags: string[];
}

/**
 * The untagged answers of one SELECT/EXAMINE that parseSelected reads (`* OK [UIDVALIDITY …]`,
 * `* 3 EXISTS`), kept as one line each without the `* `, for the command's untagged handlers.
 */
export function selectLines(): { untagged: UntaggedHandlers; lines: string[] } {
  const lines: string[] = [];
  const keep = (r: ImapResponse): void => void lines.push(r.parts.join(' ').slice(2));
  return { untagged: { OK: keep, EXISTS: keep }, lines };
}

/** SELECT/EXAMINE's untagged answers, parsed for what the engine needs. */
export function parseSelected(lines: readonly string[], site: ErrorSite): SelectAnswer {
  const code = (name: string): string | undefined => lines.map((l) => new RegExp(`^OK \\[${name} ([^\\]]*)\\]`, 'i').exec(l)?.[1]).find((v) => v !== undefined);
  const exists = lines.map((l) => /^(\d+) EXISTS/i.exec(l)?.[1]).find((v) => v !== undefined);
  const perm = code('PERMANENTFLAGS')?.replace(/^\(|\)$/g, '');
  const uidValidity = code('UIDVALIDITY');
  const uidNext = Number(code('UIDNEXT') ?? NaN);
  if (uidValidity === undefined || !Number.isFinite(uidNext)) throw new MigrationError('IMAP_COMMAND_FAILED', 'transient', `${site} IMAP: SELECT gave no UIDVALIDITY/UIDNEXT`);
  return { uidValidity, uidNext, messages: Number(exists ?? 0), permanentFlags: perm ? perm.split(/\s+/).filter(Boolean) : [] };
}
