import { afterEach, describe, expect, it } from 'vitest';
import { bulkCorpus } from '../../lab/corpus.js';
import { FaultProxy } from '../../lab/fault-proxy.js';
import { getLab } from '../../lab/lab-info.js';
import { compareSnapshots, snapshotMailbox } from '../../lab/snapshot.js';
import { runThroughEngine } from '../../support/engine-run.js';
import { seededPair } from '../../support/lab-mailbox.js';

/**
 * A folder the destination refuses to create is reported, and so are its subfolders (their
 * parent could not be made); a folder whose name merely begins like it is not its child and is
 * copied, exactly.
 */

const proxies: FaultProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
});

describe('a folder the destination refuses to create', () => {
  it('is reported with its subfolders; a sibling whose name begins the same is copied exactly', async () => {
    const lab = getLab();
    const [a, b, c] = bulkCorpus(9, { folders: 3, bodyBytes: 300, seed: 'refused-create' });
    const address = await seededPair(lab, 'refusedcreate', [
      { path: 'Team', messages: a!.messages },
      { path: 'Team/Plans', messages: b!.messages },
      { path: 'Teamwork', messages: c!.messages },
    ]);
    const dst = await FaultProxy.forLab(lab, 'destination');
    proxies.push(dst);
    dst.addFault({ on: { name: 'CREATE', args: /^"Team"/, times: 10 }, action: { kind: 'answer', text: 'NO [CANNOT] Invalid mailbox name' } });
    const run = await runThroughEngine(lab, [address], { destination: dst });
    const m = run.report.mailboxes[0]!;
    const skipped = Object.fromEntries(m.skippedFolders.map((s) => [s.sourcePath, s.code]));
    expect(skipped, run.log.join('\n')).toMatchObject({ Team: 'NAME_REJECTED', 'Team/Plans': 'NAME_REJECTED' });
    expect(skipped.Teamwork).toBeUndefined();
    const [src, out] = await Promise.all([snapshotMailbox(lab, 'source', address), snapshotMailbox(lab, 'destination', address)]);
    // Teamwork, message by message: nothing missing, nothing twice; the refused two are not at the destination.
    const cmp = compareSnapshots(src, out, { ignoreFolders: ['Team', 'Team/Plans'] });
    expect(cmp.missing).toEqual([]);
    expect(cmp.extra).toEqual([]);
    expect(cmp.diffs).toEqual([]);
    expect(out.folders.Teamwork?.messages).toHaveLength(c!.messages.length);
  });
});
