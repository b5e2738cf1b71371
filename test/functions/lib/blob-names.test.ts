import { describe, expect, it } from 'vitest';
import { errorsBlobName } from '../../../functions/lib/blob-handler.js';
import { batchIdForBlob, reportPaths } from '../../../shared/engine/batch-ids.js';

const names = ['incoming/with spaces.csv', 'incoming/ünïcödé 日本語.csv', 'incoming/../../escape.csv', 'incoming/./a/../b.csv', `incoming/${'x'.repeat(1100)}.csv`, 'incoming/tab\there\nnewline.csv'];

describe('blob names never reach ids or paths raw', () => {
  for (const n of names) {
    it(`batch id and report paths for ${JSON.stringify(n.slice(0, 40))} are hex-only and bounded`, () => {
      const id = batchIdForBlob('migrations', n, Buffer.from('Email\na@b.com\n'));
      expect(id).toMatch(/^b-[0-9a-f]{32}$/);
      for (const p of [reportPaths.batchJson(id), reportPaths.mailbox(id, 7), reportPaths.uploadedCsv(id)]) {
        expect(p).toMatch(/^[a-z]+\/?b-[0-9a-f]{32}[/.a-z0-9]*$|^b-[0-9a-f]{32}\/[a-z0-9/.]+$/);
        expect(p).not.toContain('..');
      }
      const e = errorsBlobName(n);
      expect(e.endsWith('.errors.json')).toBe(true);
      expect(e.length).toBeLessThanOrEqual(1024);
      expect(e.split('/')).not.toContain('..');
      expect(e).not.toMatch(/[\u0000-\u001f]/);
    });
  }

  it('the same name and content give the same id; other content or another name a different one', () => {
    const a = batchIdForBlob('migrations', 'incoming/a.csv', Buffer.from('1'));
    expect(batchIdForBlob('migrations', 'incoming/a.csv', Buffer.from('1'))).toBe(a);
    expect(batchIdForBlob('migrations', 'incoming/a.csv', Buffer.from('2'))).not.toBe(a);
    expect(batchIdForBlob('migrations', 'incoming/b.csv', Buffer.from('1'))).not.toBe(a);
  });
});
