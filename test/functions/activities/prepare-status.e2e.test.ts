import { afterAll, describe, expect, it } from 'vitest';
import { bulkCorpus } from '../../lab/corpus.js';
import { FaultProxy } from '../../lab/fault-proxy.js';
import { getLab } from '../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../lab/mailboxes.js';
import { seedMailbox } from '../../lab/seed.js';
import { appUnderTest, type AppUnderTest } from '../../support/durable-app/app-under-test.js';

const apps: AppUnderTest[] = [];
let proxy: FaultProxy | undefined;

describe('the prepare activity', () => {
  afterAll(async () => {
    for (const a of apps) await a.close();
    await proxy?.stop();
  });

  it("takes every folder's STATUS in one pipelined round and starts each folder's pass from it", async () => {
    const lab = getLab();
    const box = uniqueAddress('prep');
    await addMailbox(lab, 'source', box);
    await addMailbox(lab, 'destination', box);
    await seedMailbox(lab, 'source', box, bulkCorpus(20, { folders: 5, seed: 'prep' }));
    proxy = await FaultProxy.forLab(lab, 'source');
    const app = appUnderTest({ SOURCE_IMAP_PORT: String(proxy.port) });
    apps.push(app);

    const r = await app.activities.prepareMailboxFolders({ sourceEmail: box, destinationEmail: box, lease: { batchId: 'b-prep', instanceId: 'b-prep:p1:m2' } });
    expect(r.status).toBe('ok');
    const folders = r.status === 'ok' ? r.value.folders : [];
    expect(folders.length).toBeGreaterThan(5);
    expect(folders.filter((f) => f.start === undefined).map((f) => f.sourcePath)).toEqual([]);
    expect(folders.reduce((n, f) => n + (f.start?.status.messages ?? 0), 0)).toBe(20);
    expect(proxy.commands.filter((c) => c.name === 'STATUS')).toHaveLength(folders.length);
    expect(proxy.stats().maxInFlight).toBe(folders.length);
  });
});
