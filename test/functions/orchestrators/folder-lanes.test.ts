import { describe, expect, it } from 'vitest';
import { ACTIVITIES, ORCHESTRATORS } from '../../../shared/contracts/functions.js';
import type { MailboxInput } from '../../../shared/contracts/orchestration.js';
import type { FolderPassStart, FolderPlanPage, FolderTask } from '../../../shared/contracts/engine-types.js';
import { migrateMailbox } from '../../../functions/orchestrators/migrateMailbox.js';
import { migrateFolder } from '../../../functions/orchestrators/migrateFolder.js';
import { migrateFolderLane } from '../../../functions/orchestrators/migrateFolderLane.js';
import { ReplayHost } from '../../support/durable-harness/index.js';

const ok = <T>(value: T) => ({ status: 'ok' as const, value });
const start = (messages: number): FolderPassStart => ({ unchanged: false, status: { messages, uidNext: messages + 1, uidValidity: '1' }, afterUid: 0 });

/**
 * The real mailbox, lane and folder orchestrators over activities that simulate folders of the
 * given sizes (ranges of 100), recording the order in which ranges are copied.
 */
async function run(sizes: Record<string, number>, limits: { folderWave: number; messagesPerFolderWorker: number }) {
  const copied: string[] = [];
  const begun: string[] = [];
  const folders: FolderTask[] = Object.entries(sizes).map(([path, n]) => ({ sourcePath: path, destinationPath: path, start: start(n) }));
  const host = new ReplayHost({
    orchestrators: { migrateMailbox, migrateFolder, migrateFolderLane },
    activities: {
      [ACTIVITIES.prepareMailboxFolders]: () => ok({ folders, skipped: [], renamed: [] }),
      [ACTIVITIES.beginFolderPass]: (input: { ref: { sourcePath: string } }) => {
        begun.push(input.ref.sourcePath);
        return ok(start(sizes[input.ref.sourcePath]!));
      },
      [ACTIVITIES.planFolderRanges]: (input: { ref: { sourcePath: string }; afterUid: number }): ReturnType<typeof ok<FolderPlanPage>> => {
        const n = sizes[input.ref.sourcePath]!;
        const ranges = [];
        for (let from = input.afterUid + 1; from <= n; from += 100) ranges.push({ fromUid: from, toUid: Math.min(n, from + 99), count: Math.min(100, n - from + 1), bytes: 0 });
        return ok({ uidValidity: '1', uidNext: n + 1, messages: n, ranges, complete: true });
      },
      [ACTIVITIES.copyMessageRange]: (input: { ref: { sourcePath: string }; range: { fromUid: number; toUid: number } }) => {
        copied.push(`${input.ref.sourcePath}:${input.range.fromUid}`);
        return ok({ status: 'copied', copied: input.range.toUid - input.range.fromUid + 1, copiedBytes: 0, alreadyPresent: 0, skipped: 0, failed: 0, vanished: 0, lastUid: input.range.toUid });
      },
      [ACTIVITIES.finishFolderPass]: () => ok({ state: 'copied' }),
      [ACTIVITIES.writeMailboxReport]: (input: { row: { line: number }; folders: { sourcePath: string; copiedThisPass: number }[] }) =>
        ok({ line: input.row.line, state: 'completed', copied: input.folders.reduce((s, f) => s + f.copiedThisPass, 0), copiedBytes: 0, skipped: 0, failed: 0, order: input.folders.map((f) => f.sourcePath) }),
    },
  });
  const r = await host.run(ORCHESTRATORS.migrateMailbox, { batchId: 'b', row: { line: 2, sourceEmail: 'a@x.com', destinationEmail: 'a@x.com' }, ...limits, final: false } satisfies MailboxInput, { instanceId: 'b:m2' });
  const lanes = host.instance('b:m2')!.stats.childInstanceIds.map((id) => host.instance(id)!.stats.childInstanceIds);
  return { r, copied, begun, lanes };
}

describe('a mailbox copies its folders in lanes sized by its messages', () => {
  it('a large INBOX runs in a lane of its own while the small folders go on beside it; the report keeps folder order', async () => {
    const { r, copied, begun, lanes } = await run({ INBOX: 2000, Sent: 50, Drafts: 10, Archive: 300, Junk: 20 }, { folderWave: 3, messagesPerFolderWorker: 500 });
    expect(r.status, r.error).toBe('Completed');
    expect(r.output).toMatchObject({ copied: 2380, order: ['INBOX', 'Sent', 'Drafts', 'Archive', 'Junk'] });
    // 2,380 messages -> 5 workers' worth, capped at 3 lanes: INBOX alone, Archive, the rest.
    expect(lanes).toEqual([['b:m2:f0'], ['b:m2:f3'], ['b:m2:f1', 'b:m2:f2', 'b:m2:f4']]);
    // Every small folder was done before INBOX's last range (waves of 3 would have held
    // Archive and Junk until all of INBOX was copied).
    const inboxLast = copied.lastIndexOf('INBOX:1901');
    for (const f of ['Sent', 'Drafts', 'Archive', 'Junk']) expect(copied.indexOf(`${f}:1`), f).toBeLessThan(inboxLast);
    // The STATUS taken when the mailbox was prepared starts each folder's pass: no second one.
    expect(begun).toEqual([]);
  });

  it('a small mailbox is one lane, its folders one after another', async () => {
    const { r, copied, lanes } = await run({ INBOX: 40, Sent: 30, Archive: 30 }, { folderWave: 3, messagesPerFolderWorker: 500 });
    expect(r.status, r.error).toBe('Completed');
    expect(lanes).toEqual([['b:m2:f0', 'b:m2:f1', 'b:m2:f2']]);
    expect(copied).toEqual(['INBOX:1', 'Sent:1', 'Archive:1']);
  });
});
