import { expect } from 'vitest';
import type { LabInfo } from '../lab/lab-info.js';
import type { EngineRun } from './engine-run.js';
import { compareCopy, duplicatesAtDestination } from './lab-mailbox.js';

/** The batch completed and the destination equals the source message by message: nothing missing, nothing twice. */
export async function expectExactCopy(lab: LabInfo, address: string, run: EngineRun): Promise<void> {
  const why = run.log.join('\n');
  expect(run.report.mailboxes.map((m) => m.error?.code ?? m.state), why).toEqual(['completed']);
  const cmp = await compareCopy(lab, address);
  expect(cmp.missing, why).toEqual([]);
  expect(cmp.extra, why).toEqual([]);
  expect(cmp.diffs, why).toEqual([]);
}

/** The destination equals the source message by message (nothing missing, nothing extra) and holds no message twice. */
export async function expectSameMessages(lab: LabInfo, address: string): Promise<void> {
  const cmp = await compareCopy(lab, address);
  expect(cmp.missing, address).toEqual([]);
  expect(cmp.extra, address).toEqual([]);
  expect(cmp.diffs, address).toEqual([]);
  expect(await duplicatesAtDestination(lab, address), address).toEqual([]);
}
