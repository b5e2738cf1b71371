import { describe, expect, it } from 'vitest';
import type { FolderPassStart } from '../../../../shared/contracts/engine-types.js';
import { folderWorkers } from '../../../../shared/domain/scheduling/folder-workers.js';

const PER = 500;
const start = (messages: number, uidNext: number, afterUid = 0, unchanged = false): FolderPassStart => ({ unchanged, status: { messages, uidNext, uidValidity: '1' }, afterUid });
const starts = (...s: FolderPassStart[]): Map<string, FolderPassStart> => new Map(s.map((x, i) => [`f${i}`, x]));

describe('folder workers per mailbox', () => {
  it('a small mailbox is copied over one connection pair', () => {
    expect(folderWorkers(starts(start(30, 31), start(30, 31), start(30, 31), start(30, 31), start(30, 31)), 5, 3, PER)).toBe(1);
  });

  it('one more worker per MESSAGES_PER_FOLDER_WORKER messages to copy, up to MAX_CONNECTIONS_PER_MAILBOX', () => {
    expect(folderWorkers(starts(start(PER, PER + 1), start(1, 2)), 2, 3, PER)).toBe(2);
    expect(folderWorkers(starts(start(5 * PER, 5 * PER + 1), start(PER, PER + 1)), 2, 3, PER)).toBe(3);
    expect(folderWorkers(starts(start(5 * PER, 5 * PER + 1)), 1, 2, PER)).toBe(2);
  });

  it('counts only what this pass may copy: unchanged folders and UIDs already copied do not count', () => {
    expect(folderWorkers(starts(start(10 * PER, 10 * PER + 1, 10 * PER - 5), start(10 * PER, 10 * PER + 1, 0, true)), 2, 3, PER)).toBe(1);
  });

  it('a folder whose STATUS failed counts as large (its size is unknown)', () => {
    expect(folderWorkers(starts(start(1, 2)), 3, 3, PER)).toBe(3);
  });

  it('on a far server (a long round trip) every folder with something to copy gets a worker, up to MAX_CONNECTIONS_PER_MAILBOX', () => {
    const five = starts(start(30, 31), start(30, 31), start(30, 31), start(30, 31), start(30, 31));
    expect(folderWorkers(five, 5, 3, PER, 60)).toBe(3);
    expect(folderWorkers(starts(start(30, 31), start(0, 1), start(30, 31, 30)), 3, 3, PER, 60)).toBe(1);
    expect(folderWorkers(five, 5, 3, PER, 0.2)).toBe(1);
  });
});
