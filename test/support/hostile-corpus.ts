import { makeMessage } from '../lab/corpus.js';
import type { SeedFolder } from '../lab/seed.js';

/** Folder names and subjects that would run script if they reached a page as markup. */
export const HOSTILE_FOLDERS = ['<img src=x onerror=window.__pwned=1>', '<svg onload=window.__pwned=2> & "q"', '"><iframe src=javascript:window.__pwned=4>'] as const;
export const HOSTILE_SUBJECT = '<script>window.__pwned=3</script> Quarterly "numbers" & <b>bold</b>';

/** A small mailbox whose folder names and subjects are hostile markup (INBOX left empty); `perFolder` messages each. */
export function hostileCorpus(seed: string, perFolder = 5): SeedFolder[] {
  const folders = [...HOSTILE_FOLDERS];
  return folders.map((path, f) => ({
    path,
    messages: Array.from({ length: perFolder }, (_, i) => ({
      raw: makeMessage({ subject: `${HOSTILE_SUBJECT} ${f}.${i}`, from: 'eve@contoso.example', to: 'user@contoso.example', date: new Date(Date.UTC(2025, 0, 1 + i)), bodyBytes: 2048, seed: `${seed}-${f}-${i}` }),
      flags: i % 2 ? ['\\Seen'] : [],
      internalDate: new Date(Date.UTC(2025, 0, 1 + i)),
    })),
  }));
}
