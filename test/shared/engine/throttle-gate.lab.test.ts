import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bulkCorpus } from '../../lab/corpus.js';
import { FaultProxy, throttledAnswer, type CommandFault, type CommandRecord } from '../../lab/fault-proxy.js';
import { getLab, type LabInfo } from '../../lab/lab-info.js';
import { runThroughEngine } from '../../support/engine-run.js';

/**
 * One APPEND at a time: with pipelining, APPENDs already on the wire when the throttling answer
 * arrives reach the server after it, and the proxy cannot tell them from new ones.
 */
const NO_PIPELINE = { APPEND_PIPELINE_DEPTH: '0' };
import { expectExactCopy } from '../../support/expect-copy.js';
import { seededPair } from '../../support/lab-mailbox.js';

/**
 * Exchange's "Suggested Backoff Time" is about the mailbox, not the connection (ARCHITECTURE.md):
 * after a throttling answer on ANY connection, no connection of that mailbox to that server may
 * send a command until the suggested time has passed. The mailbox has two folders copied at once
 * (two connections per side), so the other folder is mid-range when the answer comes. (The other
 * server is not throttled: what it does meanwhile is not asserted.)
 */

let lab: LabInfo;
const proxies: FaultProxy[] = [];

const BACKOFF_MS = 1500;
/** Commands already on their way when the answer arrived are not the engine's choice. */
const GRACE_MS = 100;

interface Seen extends CommandRecord {
  side: 'source' | 'destination';
}

async function throttleOnce(prefix: string, side: 'source' | 'destination', fault: (address: string) => CommandFault): Promise<void> {
  const address = await seededPair(lab, prefix, bulkCorpus(160, { folders: 2, bodyBytes: 1500, seed: prefix }));
  const source = await FaultProxy.forLab(lab, 'source');
  const destination = await FaultProxy.forLab(lab, 'destination');
  proxies.push(source, destination);
  (side === 'source' ? source : destination).addFault(fault(address));
  const run = await runThroughEngine(lab, [address], { source, destination, settings: { RANGE_MAX_MESSAGES: '5', MAX_CONNECTIONS_PER_MAILBOX: '2', MESSAGES_PER_FOLDER_WORKER: '1', ...NO_PIPELINE } });
  await expectExactCopy(lab, address, run);

  const fired = (side === 'source' ? source : destination).fired;
  expect(fired.map((f) => f.action)).toEqual(['answer']);
  const t = fired[0]!.at;
  const all: Seen[] = [...source.commands.map((c) => ({ ...c, side: 'source' as const })), ...destination.commands.map((c) => ({ ...c, side: 'destination' as const }))];
  // Precondition: both folders were at work when the answer came.
  const busy = new Set(all.filter((c) => c.side === side && c.at > t - 500 && c.at <= t).map((c) => c.connection));
  expect(busy.size, 'two connections of the throttled side were busy just before the answer').toBeGreaterThanOrEqual(2);
  // LOGOUT of a session being closed is tolerated: it ends work, it does not add any.
  const during = all
    .filter((c) => c.side === side && c.at > t + GRACE_MS && c.at < t + BACKOFF_MS && c.name !== 'LOGOUT')
    .map((c) => `+${c.at - t} ms ${c.side} connection ${c.connection}: ${c.name} ${c.args.slice(0, 40)}`);
  expect(during, `commands of the throttled mailbox sent during its ${BACKOFF_MS} ms backoff`).toEqual([]);
}

describe('reliability: a throttling answer pauses the whole mailbox', () => {
  beforeAll(() => {
    lab = getLab();
  });
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
  });

  it('throttled body FETCH on the source: no command of that mailbox on any source connection until the suggested time has passed', async () => {
    await throttleOnce('rel-gate-src', 'source', (address) => ({ on: { name: 'UID FETCH', args: /BODY/, nth: 6, user: address }, action: throttledAnswer(BACKOFF_MS) }));
  });

  it('throttled APPEND on the destination: no command of that mailbox on any destination connection until the suggested time has passed', async () => {
    await throttleOnce('rel-gate-dst', 'destination', (address) => ({ on: { name: 'APPEND', nth: 30, user: address }, action: throttledAnswer(BACKOFF_MS) }));
  });
});
