import type { DestinationKind, RenameCode } from './folder-types.js';

// One path segment as the destination can hold it. Exchange Online's rules: no leading or
// trailing spaces, at most 255 characters, and a top-level "Files" folder is reserved (it
// backs the mailbox's attachments view). Other servers: any non-empty name.

/** Exchange Online's folder display-name limit, in UTF-16 code units. */
export const EXCHANGE_MAX_SEGMENT_LENGTH = 255;
const EXCHANGE_RESERVED_TOP_LEVEL = 'files';
export const RESERVED_REPLACEMENT_SUFFIX = ' (migrated)';
/** Stands in for the destination's delimiter inside a name, where it would split the name. */
const DELIMITER_REPLACEMENT = '_';

export interface SegmentChange {
  code: RenameCode;
  reason: string;
}

export type DestinationSegment =
  | { ok: true; segment: string; changes: SegmentChange[] }
  | { ok: false; reason: string };

export function destinationSegment(
  source: string,
  options: { kind: DestinationKind; delimiter: string; topLevel: boolean },
): DestinationSegment {
  const changes: SegmentChange[] = [];
  let segment = source;
  if (options.kind === 'exchange' && segment.trim() !== segment) {
    segment = segment.trim();
    changes.push({ code: 'WHITESPACE_TRIMMED', reason: 'leading or trailing spaces removed: Exchange does not keep them' });
  }
  if (segment === '') {
    return { ok: false, reason: source === '' ? 'empty folder name' : 'folder name is only spaces' };
  }
  if (options.delimiter !== '' && segment.includes(options.delimiter)) {
    segment = segment.split(options.delimiter).join(DELIMITER_REPLACEMENT);
    changes.push({
      code: 'DELIMITER_IN_NAME',
      reason: `"${options.delimiter}" separates folders at the destination; replaced by "${DELIMITER_REPLACEMENT}" in the name`,
    });
  }
  if (options.kind === 'exchange') {
    if (segment.length > EXCHANGE_MAX_SEGMENT_LENGTH) {
      return { ok: false, reason: `folder name longer than ${EXCHANGE_MAX_SEGMENT_LENGTH} characters` };
    }
    if (options.topLevel && segment.toLowerCase() === EXCHANGE_RESERVED_TOP_LEVEL) {
      segment = `${segment}${RESERVED_REPLACEMENT_SUFFIX}`;
      changes.push({ code: 'RESERVED_NAME', reason: `"${source.trim()}" is reserved at the top of an Exchange mailbox` });
    }
  }
  return { ok: true, segment, changes };
}
