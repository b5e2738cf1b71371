import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DestinationKind, FolderInfo } from '../../../../shared/domain/folders/folder-types.js';
import { planFolderMapping } from '../../../../shared/domain/folders/plan-folder-mapping.js';

const segment = fc.oneof(
  fc.constantFrom('INBOX', 'Inbox', 'Sent', 'Sent Items', 'Files', 'files', 'Trash', 'Spam', '[Gmail]', 'a', 'A', 'b', ' x ', ''),
  fc.string({ unit: fc.constantFrom('a', 'B', '.', '/', ' ', 'ü'), minLength: 0, maxLength: 4 }),
);
const flags = fc.subarray(['\\Noselect', '\\HasChildren', '\\Sent', '\\Trash', '\\Junk', '\\All', '\\Flagged', '\\Drafts', '\\Archive']);
const sourceFolders = fc.constantFrom('/', '.').chain((delimiter) =>
  fc.array(
    fc.record({ segments: fc.array(segment, { minLength: 1, maxLength: 3 }), flags }).map(
      ({ segments, flags: f }): FolderInfo => ({ path: segments.join(delimiter), delimiter, flags: f }),
    ),
    { maxLength: 25 },
  ),
);
const kind = fc.constantFrom<DestinationKind>('exchange', 'generic');

describe('planFolderMapping properties', () => {
  it('the plan does not depend on the order in which the server listed the folders', () => {
    fc.assert(
      fc.property(sourceFolders, kind, fc.integer(), (folders, k, seed) => {
        const shuffled = [...folders].sort((a, b) => ((hash(a.path) ^ seed) % 7) - ((hash(b.path) ^ seed) % 7));
        // Only the first of duplicate paths counts, so keep duplicates in their original order.
        const unique = folders.filter((f, i) => folders.findIndex((g) => g.path === f.path) === i);
        const uniqueShuffled = shuffled.filter((f) => unique.includes(f));
        const destination = { delimiter: '/', folders: [], kind: k };
        expect(planFolderMapping(uniqueShuffled, destination)).toEqual(planFolderMapping(unique, destination));
      }),
      { numRuns: 500 },
    );
  });

  it('two source folders never share a destination folder, and every source folder is mapped or skipped', () => {
    fc.assert(
      fc.property(sourceFolders, kind, (folders, k) => {
        const plan = planFolderMapping(folders, { delimiter: '/', folders: [], kind: k });
        const keys = plan.mappings.map((m) => (k === 'exchange' ? m.destinationPath.toLowerCase() : m.destinationPath));
        expect(new Set(keys).size).toBe(keys.length);
        const handled = new Set([...plan.mappings.map((m) => m.sourcePath), ...plan.skipped.map((s) => s.sourcePath)]);
        for (const f of folders) expect(handled.has(f.path)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('every destination parent is created or exists before its children, and names obey the destination rules', () => {
    fc.assert(
      fc.property(sourceFolders, kind, (folders, k) => {
        const plan = planFolderMapping(folders, { delimiter: '/', folders: [], kind: k });
        const seen = new Set<string>(['INBOX']);
        for (const m of plan.mappings) {
          const segments = m.destinationPath.split('/');
          const parent = segments.slice(0, -1).join('/');
          if (parent !== '') expect(seen.has(parent)).toBe(true);
          seen.add(m.destinationPath);
          for (const s of segments) {
            expect(s).not.toBe('');
            if (k === 'exchange') {
              expect(s.trim()).toBe(s);
              expect(s.length).toBeLessThanOrEqual(255);
            }
          }
          if (k === 'exchange') expect(segments[0]?.toLowerCase()).not.toBe('files');
        }
      }),
      { numRuns: 500 },
    );
  });
});

function hash(text: string): number {
  let h = 0;
  for (const char of text) h = (h * 31 + (char.codePointAt(0) ?? 0)) | 0;
  return Math.abs(h);
}
