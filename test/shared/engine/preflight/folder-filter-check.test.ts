import { describe, expect, it } from 'vitest';
import type { SourceReader } from '../../../../shared/contracts/imap-ports.js';
import type { ListedFolder } from '../../../../shared/contracts/imap.js';
import { loadSettings } from '../../../../shared/config/settings.js';
import { checkContent } from '../../../../shared/engine/preflight/content-checks.js';
import { VALID_SETTINGS } from '../../../support/valid-settings.js';

const listed: ListedFolder[] = ['INBOX', 'Junk Email', 'Sync Issues', 'Sync Issues/Conflicts', 'Projects'].map((path) => ({ path, delimiter: '/', flags: [] }));

/** A source of empty folders: enough for the plan and the scan. */
function source(scanned: string[]): SourceReader {
  const empty = { messages: 0, uidNext: 1, uidValidity: '1' };
  return {
    listFolders: () => Promise.resolve(listed),
    status: (path: string) => {
      scanned.push(path);
      return Promise.resolve(empty);
    },
    select: () => Promise.resolve({ ...empty, permanentFlags: [] }),
    fetchMeta: () => Promise.resolve([]),
  } as unknown as SourceReader;
}

const row = { line: 2, sourceEmail: 'a@contoso.com', destinationEmail: 'a@contoso.com' };

describe('preflight: folder controls', () => {
  it('lists each folder left out with its pattern, and scans only the folders that would be copied', async () => {
    const scanned: string[] = [];
    const r = await checkContent(loadSettings({ ...VALID_SETTINGS, EXCLUDE_FOLDERS: 'Junk Email;Sync Issues*' }), row, source(scanned), undefined);
    const check = r.checks.find((c) => c.id === 'folder-filter')!;
    expect(check.status).toBe('pass');
    expect(check.detail).toContain('3 folder(s) left out');
    expect(check.detail).toContain('"Sync Issues/Conflicts" excluded by pattern "Sync Issues*"');
    expect(scanned.sort()).toEqual(['INBOX', 'Projects']);
  });

  it('warns about a pattern that names no folder (a typo) and about a filter that leaves nothing to copy; a row\'s own column counts', async () => {
    const typo = await checkContent(loadSettings({ ...VALID_SETTINGS, EXCLUDE_FOLDERS: 'Junk E-mail' }), row, source([]), undefined);
    expect(typo.checks.find((c) => c.id === 'folder-filter')).toMatchObject({ status: 'warn', detail: expect.stringContaining('"Junk E-mail"') });
    const none = await checkContent(loadSettings(VALID_SETTINGS), { ...row, controls: { includeFolders: ['Nothing*'] } }, source([]), undefined);
    expect(none.checks.find((c) => c.id === 'folder-filter')).toMatchObject({ status: 'warn', detail: expect.stringContaining('no folder is left to copy') });
  });

  it('adds no check when no folder control is set', async () => {
    const r = await checkContent(loadSettings(VALID_SETTINGS), row, source([]), undefined);
    expect(r.checks.some((c) => c.id === 'folder-filter')).toBe(false);
  });
});
