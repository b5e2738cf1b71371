import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkCorpus } from '../../lab/corpus.js';
import { FaultProxy } from '../../lab/fault-proxy.js';
import { withImap } from '../../lab/imap.js';
import { getLab, labSettings, type LabInfo } from '../../lab/lab-info.js';
import { compareSnapshots, snapshotMailbox } from '../../lab/snapshot.js';
import { runAndKill } from '../../support/kill-run.js';
import { duplicatesAtDestination, seededPair } from '../../support/lab-mailbox.js';
import { runCli, workDir } from '../../support/run-cli.js';

/**
 * Two mistakes in a row: the run is killed while a mailbox's large folder is still copying (its
 * small folder done), then a user deletes the small folder at the destination. The next run must
 * notice the deletion and refill the folder: a folder's record of the destination is written when
 * the folder ends, not only when the whole mailbox does. Judged by comparing source and
 * destination as multisets.
 */

let lab: LabInfo;
let proxy: FaultProxy;

describe('killed mid-mailbox, then a finished folder deleted at the destination', () => {
  beforeAll(async () => {
    lab = getLab();
    proxy = await FaultProxy.forLab(lab, 'destination');
  });
  afterAll(async () => {
    await proxy.stop();
  });

  it('the next run refills the deleted folder and finishes the other: exact, nothing twice', async () => {
    const [big, small] = bulkCorpus(66, { folders: 2, bodyBytes: 400, seed: 'killdel' }).map((f, i) => ({ ...f, path: i === 0 ? 'Big' : 'Small' }));
    const address = await seededPair(lab, 'killdel', [{ ...big!, messages: [...big!.messages, ...small!.messages.slice(0, 27)] }, { ...small!, messages: small!.messages.slice(27) }]);
    const w = workDir(labSettings(lab, { STORAGE_CONNECTION_STRING: '', DESTINATION_IMAP_PORT: String(proxy.port), MAX_CONNECTIONS_PER_MAILBOX: '2', MESSAGES_PER_FOLDER_WORKER: '1', APPEND_BATCH_MESSAGES: '1' }), `Email\n${address}\n`);
    const args = ['migrate', '--csv', w.csvPath, '--settings', w.settingsPath];
    // One message per APPEND, the large folder's slowed: the small one ends long before them.
    proxy.addFault({ on: { name: 'APPEND', args: /^"Big"/, times: 10_000 }, action: { kind: 'delay', ms: 25 } });

    const killed = await runAndKill(proxy, args, { afterAppend: 50 });
    expect(killed.killed, killed.result.stdout + killed.result.stderr).toBe(true);
    // The precondition: every message of the small folder was stored well before the kill.
    const smallAppends = proxy.commands.filter((c) => c.name === 'APPEND' && c.args.startsWith('"Small"'));
    expect(smallAppends).toHaveLength(6);
    expect(smallAppends.every((c) => c.doneAt !== undefined && c.doneAt < Date.now() - killed.elapsedMs / 2)).toBe(true);

    await withImap(lab, 'destination', address, (c) => c.mailboxDelete('Small'));
    proxy.clearFaults();
    const again = await runCli(args);
    expect(again.code, again.stdout + again.stderr).toBe(0);

    const cmp = compareSnapshots(await snapshotMailbox(lab, 'source', address), await snapshotMailbox(lab, 'destination', address));
    expect({ missing: cmp.missing, extra: cmp.extra, diffs: cmp.diffs }).toEqual({ missing: [], extra: [], diffs: [] });
    expect(await duplicatesAtDestination(lab, address)).toEqual([]);
  }, 120_000);
});
