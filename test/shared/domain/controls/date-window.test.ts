import { describe, expect, it } from 'vitest';
import { dayProblem, describeWindow, inWindow, windowContains } from '../../../../shared/domain/controls/date-window.js';
import { effectiveControls, readControls } from '../../../../shared/domain/controls/read-controls.js';

describe('date window', () => {
  it('since is inclusive and before exclusive, in whole UTC days', () => {
    const w = { since: '2024-01-01', before: '2024-02-01' };
    expect(inWindow(w, '2023-12-31T23:59:59.000Z')).toBe(false);
    expect(inWindow(w, '2024-01-01T00:00:00.000Z')).toBe(true);
    expect(inWindow(w, '2024-01-31T23:59:59.000Z')).toBe(true);
    expect(inWindow(w, '2024-02-01T00:00:00.000Z')).toBe(false);
    expect(inWindow({}, '1990-01-01T00:00:00.000Z')).toBe(true);
    expect(describeWindow(w)).toBe('2024-01-01 up to (not including) 2024-02-01');
  });

  it('a window contains another only when it holds all of it', () => {
    expect(windowContains({ since: '2024-01-01' }, { since: '2024-06-01', before: '2024-07-01' })).toBe(true);
    expect(windowContains({ since: '2024-06-01' }, { since: '2024-01-01' })).toBe(false);
    expect(windowContains({ since: '2024-06-01' }, {})).toBe(false);
    expect(windowContains(undefined, { before: '2020-01-01' })).toBe(true);
  });

  it('days must be real calendar dates written YYYY-MM-DD', () => {
    expect(dayProblem('2024-02-29')).toBeUndefined();
    expect(dayProblem('2023-02-29')).toBe('is not a calendar date');
    expect(dayProblem('1/2/2024')).toBe('must be a date written YYYY-MM-DD');
  });

  it('readControls names the field of each bad value and refuses an empty window', () => {
    const cells: Record<string, string> = { Since: '2024-03-01', Before: '2024-01-01', ExcludeFolders: '\\Nope' };
    const r = readControls((f) => cells[f.column], (f) => f.column);
    expect(r.problems.map((p) => p.field).sort()).toEqual(['Before', 'ExcludeFolders']);
  });

  it('a row cell replaces the batch value for that row; a row window replaces the whole batch window', () => {
    expect(effectiveControls({ excludeFolders: ['Junk'], since: '2020-01-01', before: '2021-01-01' }, { before: '2019-01-01' })).toEqual({ excludeFolders: ['Junk'], before: '2019-01-01' });
    expect(effectiveControls({ excludeFolders: ['Junk'] }, { excludeFolders: ['Trash'] })).toEqual({ excludeFolders: ['Trash'] });
  });
});
