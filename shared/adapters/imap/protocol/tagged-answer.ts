import { ImapFailure } from '../../../errors/imap-failure.js';

/** A tagged answer (RFC 3501 §7.1): `<tag> <status> [<code> ...] <text>`. */
export interface TaggedAnswer {
  tag: string;
  /** OK, NO or BAD (upper-cased); '' when the server sent none. */
  status: string;
  /** The response code's name, upper-cased; '' without one. */
  code: string;
  /** The text, the bracketed response code left out. */
  text: string;
  /** Everything after the tag: what a command's OK resolves with (`OK [APPENDUID 7 12] done`). */
  rest: string;
}

/** Reads a tagged answer line (its parts joined); no validation beyond splitting it. */
export function parseTaggedAnswer(line: string): TaggedAnswer {
  const sp = line.indexOf(' ');
  const tag = sp < 0 ? line : line.slice(0, sp);
  const rest = sp < 0 ? '' : line.slice(sp + 1);
  return {
    tag,
    status: /^(\S+)/.exec(rest)?.[1]?.toUpperCase() ?? '',
    code: /^\S+ \[([A-Z-]+)/i.exec(rest)?.[1]?.toUpperCase() ?? '',
    text: rest.replace(/^\S+\s+(\[[^\]]*\]\s*)?/, ''),
    rest,
  };
}

/** The failure a tagged NO or BAD stands for (any status but OK and NO is taken as BAD). */
export function refusal(answer: TaggedAnswer): ImapFailure {
  return new ImapFailure(answer.status === 'NO' ? 'no' : 'bad', answer.code, answer.text, answer.rest.replace(/^\S+\s*/, ''));
}

/** `* BYE [code] text`: the server is closing the connection (RFC 3501 §7.1.5). */
export function byeFailure(line: string): ImapFailure {
  const responseText = line.replace(/^\*\s+BYE\s?/i, '');
  const code = /^\[([A-Z-]+)/i.exec(responseText)?.[1]?.toUpperCase() ?? '';
  return new ImapFailure('bye', code, responseText.replace(/^\[[^\]]*\]\s*/, ''), responseText);
}
