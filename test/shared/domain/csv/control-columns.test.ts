import { describe, expect, it } from 'vitest';
import { parseMailboxCsv } from '../../../../shared/domain/csv/parse-mailbox-csv.js';

describe('CSV control columns', () => {
  it('optional IncludeFolders, ExcludeFolders, Since and Before columns become the row\'s controls; empty cells set nothing', () => {
    const r = parseMailboxCsv('Email,ExcludeFolders,since,Before\na@contoso.com,"Junk Email;Sync Issues*",2024-01-01,\nb@contoso.com,,,\n');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.rows[0]).toEqual({ line: 2, sourceEmail: 'a@contoso.com', destinationEmail: 'a@contoso.com', controls: { excludeFolders: ['Junk Email', 'Sync Issues*'], since: '2024-01-01' } });
    expect(r.rows[1]).toEqual({ line: 3, sourceEmail: 'b@contoso.com', destinationEmail: 'b@contoso.com' });
    expect(r.warnings).toEqual([]);
  });

  it('a bad value names its line and column, and the file starts nothing', () => {
    const r = parseMailboxCsv('SourceEmail;DestinationEmail;Since;Before;IncludeFolders\na@contoso.com;a@fabrikam.com;2024-13-01;;\nb@contoso.com;b@fabrikam.com;2024-05-01;2024-01-01;\nc@contoso.com;c@fabrikam.com;;;\\Bogus\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => [p.line, p.field])).toEqual([
      [2, 'Since'],
      [3, 'Before'],
      [4, 'IncludeFolders'],
    ]);
  });

  it('DeleteAtCutover takes true/false (yes/no, 1/0); anything else names the row and column', () => {
    const ok = parseMailboxCsv('Email,DeleteAtCutover\na@contoso.com,Yes\nb@contoso.com,0\n');
    expect(ok.ok && ok.rows.map((r) => r.controls?.deleteAtCutover)).toEqual([true, false]);
    const bad = parseMailboxCsv('Email,DeleteAtCutover\na@contoso.com,maybe\n');
    expect(!bad.ok && bad.problems.map((p) => [p.line, p.field, p.message])).toEqual([[2, 'DeleteAtCutover', 'DeleteAtCutover must be true or false']]);
  });

  it('DeleteGoneFoldersAtCutover takes true/false on its own, apart from DeleteAtCutover; anything else names the row and column', () => {
    const ok = parseMailboxCsv('Email,DeleteGoneFoldersAtCutover\na@contoso.com,yes\nb@contoso.com,False\n');
    expect(ok.ok && ok.rows.map((r) => [r.controls?.deleteGoneFolders, r.controls?.deleteAtCutover])).toEqual([[true, undefined], [false, undefined]]);
    const bad = parseMailboxCsv('Email,DeleteGoneFoldersAtCutover\na@contoso.com,sure\n');
    expect(!bad.ok && bad.problems.map((p) => [p.line, p.field, p.message])).toEqual([[2, 'DeleteGoneFoldersAtCutover', 'DeleteGoneFoldersAtCutover must be true or false']]);
  });

  it('MaxBytesPerSecond takes 0 (no cap) or at least 1024 bytes/s; a bad value names the row and column', () => {
    const ok = parseMailboxCsv('Email,MaxBytesPerSecond\na@contoso.com,500000\nb@contoso.com,0\n');
    expect(ok.ok && ok.rows.map((r) => r.controls?.maxBytesPerSecond)).toEqual([500000, undefined]);
    const bad = parseMailboxCsv('Email,MaxBytesPerSecond\na@contoso.com,10\nb@contoso.com,1.5MB\n');
    expect(!bad.ok && bad.problems.map((p) => [p.line, p.field])).toEqual([[2, 'MaxBytesPerSecond'], [3, 'MaxBytesPerSecond']]);
  });

  it('a control column given twice is refused', () => {
    const r = parseMailboxCsv('Email,Since,since\na@contoso.com,2024-01-01,2024-01-01\n');
    expect(r.ok).toBe(false);
  });
});
