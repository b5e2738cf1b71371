import { afterAll, describe, expect, it } from 'vitest';
import { observeImapCommands } from '../../../shared/adapters/imap/command-observer.js';
import { mailboxKey } from '../../../shared/domain/checkpoints/checkpoint-store.js';
import { getLab } from '../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../lab/mailboxes.js';
import { seedMailbox } from '../../lab/seed.js';
import { bulkCorpus } from '../../lab/corpus.js';
import { appUnderTest, type AppUnderTest } from '../../support/durable-app/app-under-test.js';

const apps: AppUnderTest[] = [];

describe('a throttling answer pauses the whole mailbox across activities', () => {
  afterAll(async () => {
    for (const a of apps) await a.close();
  });

  it('while the ledger says the mailbox is paused, every folder activity answers throttled with the time left and sends no IMAP command', async () => {
    const lab = getLab();
    const box = uniqueAddress('gate');
    await addMailbox(lab, 'source', box);
    await addMailbox(lab, 'destination', box);
    await seedMailbox(lab, 'source', box, bulkCorpus(4, { folders: 2, seed: 'gate' }));
    const app = appUnderTest();
    apps.push(app);
    const mailbox = mailboxKey(box, box);
    const ref = { mailbox, sourceEmail: box, destinationEmail: box, sourcePath: 'Bulk/002', destinationPath: 'Bulk/002' };
    const lease = { batchId: 'b-gate', instanceId: 'b-gate:p1:m2' };
    // Another folder's activity got "NO Request is throttled. Suggested Backoff Time: 1500 milliseconds".
    await app.engine.checkpoints.pauseMailbox(mailbox, new Date(Date.now() + 1500).toISOString());

    const commands: string[] = [];
    observeImapCommands((_site, c) => commands.push(c));
    try {
      const r = await app.activities.beginFolderPass({ ref, lease });
      expect(r.status).toBe('throttled');
      expect(r.status === 'throttled' && r.retryAfterMs).toBeGreaterThan(1000);
      expect(r.status === 'throttled' && r.retryAfterMs).toBeLessThanOrEqual(1500);
      const c = await app.activities.copyMessageRange({ ref, lease, range: { fromUid: 1, toUid: 2, count: 2, bytes: 0 } });
      expect(c.status).toBe('throttled');
      expect(commands).toEqual([]);

      await new Promise((res) => setTimeout(res, 1600));
      const after = await app.activities.beginFolderPass({ ref, lease });
      expect(after.status).toBe('ok');
      expect(commands.some((x) => /^STATUS/i.test(x))).toBe(true);
    } finally {
      observeImapCommands(undefined);
    }
  });
});
