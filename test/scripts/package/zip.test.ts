import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { crc32, zip } from '../../../scripts/package/zip.js';
import { zipEntries } from '../../support/zip-entries.js';

const run = promisify(execFile);

describe('the package zip writer', () => {
  it('computes the standard CRC-32 (check value of "123456789")', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

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
