import type { ListedFolder } from '../../contracts/imap.js';
import type { ExcludedFolder, MailboxControls } from '../../contracts/mailbox-controls.js';
import { isSelectable } from '../folders/special-use.js';
import { firstMatch, parseFolderPatterns, type FolderPattern, type PatternSubject } from './folder-patterns.js';

/** Which source folders a mailbox's controls keep; pure, so preflight and the pass decide alike. */
export interface FolderFilter {
  /** Source paths left out (a container left out may still be created to hold a kept subfolder). */
  left: ReadonlySet<string>;
  /** Selectable folders left out, with the pattern that did it, in listing order: for preflight and the report. */
  excluded: ExcludedFolder[];
  /** Patterns that named no folder of this mailbox (a typo is the usual cause): preflight warns. */
  unmatched: string[];
}

/** Compiles a control's list; the lists were validated when read (settings, CSV), so a bad one here is a programmer error. */
function compiled(list: readonly string[] | undefined): FolderPattern[] {
  if (!list || list.length === 0) return [];
  const r = parseFolderPatterns(list.join(';'));
  if ('problem' in r) throw new RangeError(`folder patterns: ${r.problem}`);
  return r.patterns;
}

function attributes(f: ListedFolder): string[] {
  return [...(f.specialUse ? [f.specialUse] : []), ...f.flags].map((a) => a.toLowerCase());
}

export function folderFilter(folders: readonly ListedFolder[], controls: MailboxControls | undefined): FolderFilter {
  const exclude = compiled(controls?.excludeFolders);
  const include = compiled(controls?.includeFolders);
  const out: FolderFilter = { left: new Set(), excluded: [], unmatched: [] };
  if (exclude.length === 0 && include.length === 0) return out;
  const byPath = new Map(folders.map((f) => [f.path, f]));
  const used = new Set<FolderPattern>();
  const left = new Set<string>();
  for (const f of folders) {
    // A special-use pattern names the folder's subfolders too: gather the uses of its parents.
    const parentUses: string[] = [];
    if (f.delimiter) {
      const parts = f.path.split(f.delimiter);
      for (let i = 1; i < parts.length; i++) {
        const parent = byPath.get(parts.slice(0, i).join(f.delimiter));
        if (parent) parentUses.push(...attributes(parent));
      }
    }
    const subject: PatternSubject = { path: f.path, delimiter: f.delimiter, uses: attributes(f) };
    const ex = firstMatch(exclude, subject, parentUses);
    const inc = include.length > 0 ? firstMatch(include, subject, parentUses) : undefined;
    if (ex) used.add(ex);
    if (inc) used.add(inc);
    let why: ExcludedFolder | undefined;
    if (ex) why = { sourcePath: f.path, rule: 'exclude', pattern: ex.text };
    else if (include.length > 0 && !inc) why = { sourcePath: f.path, rule: 'include', pattern: include.map((p) => p.text).join('; ') };
    if (!why) continue;
    left.add(f.path);
    if (isSelectable(f)) out.excluded.push(why);
  }
  out.left = left;
  out.unmatched = [...exclude, ...include].filter((p) => !used.has(p)).map((p) => p.text);
  return out;
}
