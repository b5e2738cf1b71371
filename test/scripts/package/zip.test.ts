import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { zip } from '../../../scripts/package/zip.js';
import { zipEntries } from '../../support/zip-entries.js';

const run = promisify(execFile);

describe('the package zip writer', () => {
  const entries = [
    { name: 'host.json', data: Buffer.from('{"version":"2.0"}\n'), mode: 0o100644 },
    { name: 'dist/bin/tool.js', data: Buffer.from('#!/usr/bin/env node\n'.repeat(50)), mode: 0o100755 },
    { name: 'node_modules/ünï/x.bin', data: Buffer.from([0, 1, 2, 3, 255]), mode: 0o100644 },
  ];

  it('round-trips names, modes and bytes, deflated or stored', () => {
    const read = zipEntries(zip(entries));
    expect(read.map((e) => e.name)).toEqual(entries.map((e) => e.name));
    expect(read.map((e) => e.mode)).toEqual(entries.map((e) => e.mode));
    read.forEach((e, i) => expect(e.read().equals(entries[i]!.data), e.name).toBe(true));
  });

  it('stamps every entry 1980-01-01 00:00 (no build time in the archive: the same input gives the same bytes)', () => {
    const archive = zip(entries);
    // The first local header: DOS time at offset 10, date at 12 ((1980-1980) << 9 | 1 << 5 | 1).
    expect([archive.readUInt16LE(10), archive.readUInt16LE(12)]).toEqual([0, (1 << 5) | 1]);
    expect(archive.equals(zip(entries))).toBe(true);
  });

  it('writes an archive that Info-ZIP accepts, when it is installed', async ({ skip }) => {
    const unzip = await run('unzip', ['-v']).then(() => true, () => false);
    if (!unzip) skip('no unzip on this machine');
    const dir = mkdtempSync(join(tmpdir(), 'mailmig-zip-'));
    try {
      writeFileSync(join(dir, 'a.zip'), zip(entries));
      const { stdout } = await run('unzip', ['-tq', join(dir, 'a.zip')]);
      expect(stdout).toContain('No errors detected');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
