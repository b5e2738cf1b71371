/**
 * Folder patterns, as admins write them in EXCLUDE_FOLDERS / INCLUDE_FOLDERS and the CSV's
 * ExcludeFolders / IncludeFolders columns. The syntax, once:
 * - A list is separated by `;` (folder names often hold `,`; a name holding `;` is matched with `?`).
 * - A pattern is matched against the whole source path, its hierarchy written with `/` whatever
 *   the source's delimiter (`INBOX.Old` on a `.` server is `INBOX/Old`). A leading or trailing `/` is ignored.
 * - `*` matches any run of characters within one level (not `/`), `**` any run across levels,
 *   `?` exactly one character other than `/`. Everything else is literal (no regular expressions).
 * - Case-insensitive (Exchange folder names are; `inbox` is INBOX everywhere).
 * - A pattern that names a folder also names its subfolders: `Deleted Items` leaves out
 *   `Deleted Items/2019` too.
 * - `\Junk`, `\Trash`, `\Sent`, `\Drafts`, `\Archive`, `\All`, `\Flagged` name the folder the source announces
 *   with that special use (RFC 6154), whatever it is called.
 */

export type FolderPattern = { kind: 'path'; text: string; regex: RegExp } | { kind: 'special-use'; text: string; use: string };

const SPECIAL_USES = ['\\all', '\\archive', '\\drafts', '\\flagged', '\\junk', '\\sent', '\\trash'];
const MAX_PATTERNS = 100;
const MAX_PATTERN_LENGTH = 500;

/**
 * Splits and compiles a list; a problem names what is wrong, quoting at most the bad pattern
 * (settings pass quote=false: their messages never echo a value).
 */
export function parseFolderPatterns(text: string, quote = true): { patterns: FolderPattern[] } | { problem: string } {
  const q = (item: string): string => (quote ? `pattern ${JSON.stringify(item.slice(0, 80))}` : 'a pattern');
  const items = text.split(';').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length > MAX_PATTERNS) return { problem: `at most ${MAX_PATTERNS} patterns are accepted, found ${items.length}` };
  const patterns: FolderPattern[] = [];
  for (const item of items) {
    if (item.length > MAX_PATTERN_LENGTH) return { problem: `a pattern is longer than ${MAX_PATTERN_LENGTH} characters` };
    // Control characters are never part of a folder name worth matching; they are usually a paste error.
    if (/\p{Cc}/u.test(item)) return { problem: `${q(item)} holds a control character` };
    if (item.startsWith('\\')) {
      const use = item.toLowerCase();
      if (!SPECIAL_USES.includes(use)) return { problem: `${q(item)} is not a special use (one of ${SPECIAL_USES.map((u) => `\\${u.slice(1, 2).toUpperCase()}${u.slice(2)}`).join(', ')})` };
      patterns.push({ kind: 'special-use', text: item, use });
      continue;
    }
    const trimmed = item.replace(/^\/+|\/+$/g, '');
    if (trimmed === '') return { problem: `${q(item)} names no folder` };
    patterns.push({ kind: 'path', text: item, regex: compile(trimmed) });
  }
  return { patterns };
}

function compile(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      out += '.*';
      i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  // The folder itself or anything below it.
  return new RegExp(`^${out}(?:/.*)?$`, 'isu');
}

/** A source folder as the patterns see it. */
export interface PatternSubject {
  path: string;
  /** The source's hierarchy delimiter ('' when flat). */
  delimiter: string;
  /** LIST attributes and the RFC 6154 special use the source announced, lower-cased. */
  uses: readonly string[];
}

/** The path with its hierarchy written as `/` (a literal `/` inside a name on a `.` server stays one: it then reads as a level). */
function slashPath(s: PatternSubject): string {
  return s.delimiter && s.delimiter !== '/' ? s.path.split(s.delimiter).join('/') : s.path;
}

/** The first pattern naming this folder (or one of its parents, for path patterns), if any. */
export function firstMatch(patterns: readonly FolderPattern[], subject: PatternSubject, parentUses: readonly string[] = []): FolderPattern | undefined {
  const path = slashPath(subject);
  return patterns.find((p) => (p.kind === 'path' ? p.regex.test(path) : subject.uses.includes(p.use) || parentUses.includes(p.use)));
}
