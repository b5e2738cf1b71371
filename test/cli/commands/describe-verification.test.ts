import { describe, expect, it } from 'vitest';
import type { FolderVerification, MessageRef } from '../../../shared/contracts/verification.js';
import { describeVerification } from '../../../cli/commands/verify.js';

const refs = (n: number, from = 1): MessageRef[] => Array.from({ length: n }, (_, i) => ({ uid: from + i, size: 100, messageId: `<m${from + i}@x>`, subject: `s${from + i}` }));

function folder(over: Partial<FolderVerification>): FolderVerification {
  return {
    sourcePath: 'INBOX', destinationPath: 'INBOX', identity: 'header-hash+size', sourceCount: 0, destinationCount: 0,
    missing: [], accounted: [], duplicated: [], extra: [], counts: { missing: 0, accounted: 0, duplicated: 0, extra: 0 }, result: 'PASS', ...over,
  };
}

describe('describeVerification', () => {
  it('prints the real counts, not the length of lists capped at 200', () => {
    const out = describeVerification({
      sourceEmail: 'a@x', destinationEmail: 'a@y', result: 'FAIL',
      folders: [folder({ sourceCount: 1000, destinationCount: 250, missing: refs(200), duplicated: refs(200, 500), extra: refs(3, 900), counts: { missing: 750, accounted: 0, duplicated: 400, extra: 3 }, result: 'FAIL' })],
    });
    expect(out).toContain('missing 750, duplicated 400, extra 3, skipped/failed earlier 0');
    expect(out).toContain('… and 740 more missing');
    expect(out).toContain('… and 390 more duplicated');
  });

  it('a PASS folder with messages only at the destination is shown, with those messages', () => {
    const out = describeVerification({ sourceEmail: 'a@x', destinationEmail: 'a@y', result: 'PASS', folders: [folder({ extra: refs(2), counts: { missing: 0, accounted: 0, duplicated: 0, extra: 2 } })] });
    expect(out.split('\n')).toEqual(['PASS a@x -> a@y', '  PASS "INBOX" (header-hash+size): source 0, destination 0; missing 0, duplicated 0, extra 2, skipped/failed earlier 0', '    extra <m1@x> "s1"', '    extra <m2@x> "s2"']);
  });

  it('destination folders whose source folder is gone are shown', () => {
    const out = describeVerification({ sourceEmail: 'a@x', destinationEmail: 'a@y', result: 'PASS', folders: [folder({})], orphanFolders: [{ destinationPath: 'Old Projects', messages: 12 }] });
    expect(out).toContain('destination folder "Old Projects" holds 12 message(s) and no source folder maps to it');
  });

  it('a Message-ID is printed once bracketed, with or without brackets in the header', () => {
    const missing = [{ uid: 7, size: 1, messageId: '<abc@x>' }, { uid: 8, size: 1, messageId: 'def@x' }];
    const out = describeVerification({ sourceEmail: 'a@x', destinationEmail: 'a@y', result: 'FAIL', folders: [folder({ missing, counts: { missing: 2, accounted: 0, duplicated: 0, extra: 0 }, result: 'FAIL' })] });
    expect(out).toContain('missing UID 7 <abc@x>');
    expect(out).toContain('missing UID 8 <def@x>');
    expect(out).not.toContain('<<');
  });

  it('control characters in a Subject, a Message-ID or a folder name reach the terminal as visible escapes', () => {
    const missing = [{ uid: 7, size: 1, messageId: '<a\x1b[2J@x>', subject: 'hi \x1b]0;owned\x07\r\nPASS forged' }];
    const out = describeVerification({
      sourceEmail: 'a@x', destinationEmail: 'a@y', result: 'FAIL',
      folders: [folder({ sourcePath: 'Evil\x1b[31m', missing, counts: { missing: 1, accounted: 0, duplicated: 0, extra: 0 }, result: 'FAIL' })],
      orphanFolders: [{ destinationPath: 'Gone\x07', messages: 1 }],
    });
    expect(out).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    expect(out).toContain('"hi \\x1b]0;owned\\x07\\x0d\\x0aPASS forged"');
    expect(out.split('\n').filter((l) => l.startsWith('PASS'))).toEqual([]);
  });
});
