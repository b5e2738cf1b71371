import { describe, expect, it } from 'vitest';
import type { SourceReader } from '../../../../shared/contracts/imap-ports.js';
import type { ListedFolder } from '../../../../shared/contracts/imap.js';
import { loadSettings } from '../../../../shared/config/settings.js';
import { checkContent } from '../../../../shared/engine/preflight/content-checks.js';
import { VALID_SETTINGS } from '../../../support/valid-settings.js';

const listed: ListedFolder[] = ['INBOX', 'Junk Email', 'Sync Issues', 'Sync Issues/Conflicts', 'Projects'].map((path) => ({ path, delimiter: '/', flags: [] }));

/** A source whose every folder holds `dates` (one message each, 1 KB): enough for the plan and the scan. */
function source(scanned: string[], dates: string[] = []): SourceReader {
  const status = { messages: dates.length, uidNext: dates.length + 1, uidValidity: '1' };
  return {
    listFolders: () => Promise.resolve(listed),
    status: (path: string) => {
      scanned.push(path);
      return Promise.resolve(status);
    },
    select: () => Promise.resolve({ ...status, permanentFlags: [] }),
    fetchMeta: () => Promise.resolve(dates.map((internalDate, i) => ({ uid: i + 1, size: 1024, flags: [], internalDate }))),
  } as unknown as SourceReader;
}

const row = { line: 2, sourceEmail: 'a@contoso.com', destinationEmail: 'a@contoso.com' };

describe('preflight: date window', () => {
  const dates = ['2022-12-31T23:59:59.000Z', '2023-01-01T00:00:00.000Z', '2023-06-30T10:00:00.000Z', '2023-07-01T00:00:00.000Z'];

  it('counts only the messages in the window, says how many it leaves out, and warns when nothing is in it', async () => {
    const r = await checkContent(loadSettings({ ...VALID_SETTINGS, MESSAGES_SINCE: '2023-01-01', MESSAGES_BEFORE: '2023-07-01' }), row, source([], dates), undefined);
    // 5 folders, 2 of their 4 messages each in the window.
    expect(r.stats).toMatchObject({ messages: 10, outsideWindow: 10 });
    expect(r.checks.find((c) => c.id === 'date-window')).toMatchObject({ status: 'pass', detail: expect.stringContaining('2023-01-01 up to (not including) 2023-07-01') });
    const none = await checkContent(loadSettings(VALID_SETTINGS), { ...row, controls: { since: '2030-01-01' } }, source([], dates), undefined);
    expect(none.checks.find((c) => c.id === 'date-window')).toMatchObject({ status: 'warn', detail: expect.stringContaining('nothing to copy') });
    const all = await checkContent(loadSettings(VALID_SETTINGS), row, source([], dates), undefined);
    expect(all.stats).toMatchObject({ messages: 20 });
    expect(all.checks.some((c) => c.id === 'date-window')).toBe(false);
  });
});

describe('preflight: bandwidth cap', () => {
  it('says how long the mailbox takes at least under its cap, and warns past a day', async () => {
    const dates = Array.from({ length: 4 }, () => '2024-01-01T00:00:00.000Z');
    const r = await checkContent(loadSettings({ ...VALID_SETTINGS, MAX_BYTES_PER_SECOND_PER_MAILBOX: '2048' }), row, source([], dates), undefined);
    // 5 folders of 4 messages of 1 KB at 2 KB/s.
    expect(r.checks.find((c) => c.id === 'bandwidth')).toMatchObject({ status: 'pass', detail: expect.stringContaining('take at least 10 s') });
    const slow = await checkContent(loadSettings(VALID_SETTINGS), { ...row, controls: { maxBytesPerSecond: 1024 } }, source([], Array.from({ length: 20_000 }, () => dates[0]!)), undefined);
    expect(slow.checks.find((c) => c.id === 'bandwidth')).toMatchObject({ status: 'warn' });
    expect((await checkContent(loadSettings(VALID_SETTINGS), row, source([], dates), undefined)).checks.some((c) => c.id === 'bandwidth')).toBe(false);
  });
});

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

describe('preflight: deletions at cut-over', () => {
  it('says what the cut-over will delete when a deletion option is set (the batch\'s or the row\'s), and says nothing by default', async () => {
    const ids = async (env: Record<string, string>, controls?: { deleteGoneFolders?: boolean }) => (await checkContent(loadSettings({ ...VALID_SETTINGS, ...env }), { ...row, ...(controls ? { controls } : {}) }, source([]), undefined)).checks.filter((c) => c.id === 'cut-over-deletions');
    expect(await ids({})).toEqual([]);
    const gone = await ids({ DELETE_GONE_FOLDERS_AT_CUTOVER: 'true' });
    expect(gone.map((c) => [c.status, c.detail])).toEqual([['pass', 'at cut-over folders deleted at the source lose the copies we made, and are deleted at the destination if nothing else is left in them (never a message the migration did not copy)']]);
    expect((await ids({ DELETE_AT_CUTOVER: 'true' }, { deleteGoneFolders: true }))[0]!.detail).toContain('expunged at the source since they were copied are removed; folders deleted at the source');
    expect(await ids({ DELETE_GONE_FOLDERS_AT_CUTOVER: 'true' }, { deleteGoneFolders: false })).toEqual([]);
  });
});
