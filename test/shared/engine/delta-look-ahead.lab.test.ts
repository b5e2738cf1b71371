import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bulkCorpus } from '../../lab/corpus.js';
import { FaultProxy } from '../../lab/fault-proxy.js';
import { getLab, type LabInfo } from '../../lab/lab-info.js';
import { seedMailbox } from '../../lab/seed.js';
import { runThroughEngine } from '../../support/engine-run.js';
import { compareCopy, seededPair } from '../../support/lab-mailbox.js';

/**
 * A delta looks at each source before it takes a pass slot: unchanged mailboxes end after that
 * look, two at once per slot; a changed one keeps the look's connection for its pass.
 */

let lab: LabInfo;

function busyAtOnce(proxy: FaultProxy): number {
  const spans = proxy.commands.filter((c) => c.name !== 'LOGOUT' && c.doneAt !== undefined);
  let most = 0;
  for (const s of spans) most = Math.max(most, new Set(spans.filter((o) => o.at <= s.at && o.doneAt! >= s.at).map((o) => o.connection)).size);
  return most;
}
const proxies: FaultProxy[] = [];
const MAILBOXES = 4;

describe('a delta looks ahead at the sources', () => {
  beforeAll(() => {
    lab = getLab();
  });
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
  });

  it('with one mailbox at a time, unchanged mailboxes are looked at two at once and the destination only asked one STATUS round; a changed one is copied exactly on the connection it was looked at on', async () => {
    const addresses: string[] = [];
    for (let i = 0; i < MAILBOXES; i++) addresses.push(await seededPair(lab, `rel-ahead${i}`, bulkCorpus(12, { folders: 3, bodyBytes: 500, seed: `rel-ahead${i}` })));
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-ahead-'));
    await runThroughEngine(lab, addresses, { stateDir });

    const source = await FaultProxy.forLab(lab, 'source');
    const destination = await FaultProxy.forLab(lab, 'destination');
    proxies.push(source, destination);
    const unchanged = await runThroughEngine(lab, addresses, { stateDir, source, destination, concurrency: 1 });
    expect(unchanged.report.mailboxes.map((m) => m.totals.copiedThisPass)).toEqual(addresses.map(() => 0));
    // Connections with a command in progress at the same moment (a LOGOUT may trail its mailbox).
    expect(busyAtOnce(source)).toBe(2);
    expect(source.stats().connections).toBe(MAILBOXES);
    // One destination session per mailbox for its one pipelined STATUS round (issue 14: a destination folder deleted, recreated or emptied is noticed).
    expect(destination.stats().connections).toBe(MAILBOXES);
    // As many STATUS at the destination as at the source: one per folder, nothing else.
    expect(destination.commands.filter((c) => c.name === 'STATUS').length).toBe(source.commands.filter((c) => c.name === 'STATUS').length);
    expect(destination.commands.filter((c) => c.name === 'LIST' || c.name === 'SELECT' || c.name === 'EXAMINE')).toEqual([]);

    // One source mailbox gets a new message: only it is copied, on the connection of its look.
    const changed = addresses[2]!;
    await seedMailbox(lab, 'source', changed, [{ path: 'INBOX', messages: [{ raw: Buffer.from('From: a@example.com\r\nSubject: late\r\nMessage-ID: <late@example.com>\r\n\r\nlate\r\n'), flags: [] }] }]);
    const again = await runThroughEngine(lab, addresses, { stateDir, source, destination, concurrency: 1 });
    expect(again.report.mailboxes.map((m) => m.totals.copiedThisPass)).toEqual(addresses.map((a) => (a === changed ? 1 : 0)));
    expect(again.report.mailboxes.map((m) => m.state)).toEqual(addresses.map(() => 'completed'));
    for (const a of addresses) {
      const cmp = await compareCopy(lab, a);
      expect({ missing: cmp.missing, extra: cmp.extra, diffs: cmp.diffs }, again.log.join('\n')).toEqual({ missing: [], extra: [], diffs: [] });
    }
    expect(source.stats().connectionsByUser[changed.toLowerCase()]).toBe(2); // one per delta
  });
});
