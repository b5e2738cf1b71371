import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../shared/contracts/report.js';
import { blobHandler } from '../../functions/lib/blob-handler.js';
import { reportPaths } from '../../shared/engine/batch-ids.js';
import { getLab, labSettings, type LabInfo } from '../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../lab/mailboxes.js';
import { seedMailbox } from '../lab/seed.js';
import { compareSnapshots, snapshotMailbox } from '../lab/snapshot.js';
import { standardCorpus } from '../lab/corpus.js';
import { runCli, workDir } from '../support/run-cli.js';
import { appUnderTest, blobContext, type AppUnderTest } from '../support/durable-app/app-under-test.js';

let lab: LabInfo;
let app: AppUnderTest;
const sources: string[] = [];
const viaCli: string[] = [];
const viaDurable: string[] = [];

const totals = (r: BatchReport) => r.mailboxes.map((m) => ({ state: m.state, ...m.totals, copiedThisPass: undefined, folders: m.folders.map((f) => [f.sourcePath, f.destinationPath, f.copied, f.skippedCount, f.failedCount]).sort() }));

describe('one batch through both drivers gives the same result', () => {
  beforeAll(async () => {
    lab = getLab();
    for (let i = 0; i < 2; i++) {
      sources.push(uniqueAddress(`both${i}`));
      viaCli.push(uniqueAddress(`cli${i}`));
      viaDurable.push(uniqueAddress(`dur${i}`));
    }
    for (const a of sources) await addMailbox(lab, 'source', a);
    for (const a of [...viaCli, ...viaDurable]) await addMailbox(lab, 'destination', a);
    for (const a of sources) await seedMailbox(lab, 'source', a, standardCorpus());
    app = appUnderTest({}, undefined, { autoCutover: true });
  }, 120_000);
  afterAll(async () => app?.close());

  it('mailmig (loop driver) and the Durable app (orchestrators) copy the same messages and report the same counts', async () => {
    const cliCsv = `SourceEmail,DestinationEmail\n${sources.map((s, i) => `${s},${viaCli[i]}`).join('\n')}\n`;
    const w = workDir(labSettings(lab, { STORAGE_CONNECTION_STRING: '' }), cliCsv);
    const cli = await runCli(['migrate', '--csv', w.csvPath, '--settings', w.settingsPath]);
    expect(cli.code, cli.stderr).toBe(0);
    const cliReport = JSON.parse(readFileSync(/Report: (.+\.json)/.exec(cli.stdout)![1]!, 'utf8')) as BatchReport;

    const durableCsv = Buffer.from(`SourceEmail,DestinationEmail\n${sources.map((s, i) => `${s},${viaDurable[i]}`).join('\n')}\n`);
    await app.blobs.put('migrations', 'incoming/both.csv', durableCsv, 'text/csv');
    const started = await blobHandler(app.deps)(durableCsv, blobContext('both.csv'));
    const id = (started as { batchId: string }).batchId;
    const run = await app.client.settled(id);
    expect(run.status, run.error).toBe('Completed');
    const durableReport = JSON.parse((await app.blobs.get('reports', reportPaths.batchJson(id)))!.toString('utf8')) as BatchReport;

    for (let i = 0; i < sources.length; i++) {
      const a = await snapshotMailbox(lab, 'destination', viaCli[i]!);
      const b = await snapshotMailbox(lab, 'destination', viaDurable[i]!);
      expect(compareSnapshots(a, b, { strictFolders: true }).diffs).toEqual([]);
      expect(Object.values(a.folders).reduce((n, f) => n + f.messages.length, 0)).toBeGreaterThan(20);
    }
    expect(totals(durableReport)).toEqual(totals(cliReport));
  });
});
