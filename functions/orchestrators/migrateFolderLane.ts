import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import type { FolderTask } from '../../shared/contracts/engine-types.js';
import { folderRef } from '../../shared/contracts/mailbox-pair.js';
import { ORCHESTRATORS } from '../../shared/contracts/functions.js';
import type { FolderOutcome } from '../../shared/contracts/orchestration.js';
import { MAILBOX_FATAL } from '../../shared/contracts/error-codes.js';
import type { PairLeaseClaim } from '../../shared/contracts/pair-lease.js';
import type { MigrateFolderInput } from './migrateFolder.js';
import type { MailboxControls } from '../../shared/contracts/mailbox-controls.js';

export interface FolderLaneInput {
  /** The mailbox orchestration's id: folder k runs as `${mailboxInstance}:f${k}`. */
  mailboxInstance: string;
  /** The pair's key (MailboxPair.key): the ledger's mailbox. */
  mailbox: string;
  sourceEmail: string;
  destinationEmail: string;
  /** The row's own controls (CSV columns), carried to each folder. */
  controls?: MailboxControls;
  /** This lane's folders, in order, each with its index among the mailbox's folders. */
  folders: { index: number; task: FolderTask }[];
  lease: PairLeaseClaim;
  syncFlags: boolean;
}

/**
 * One lane of a mailbox: its folders one after another (one migrateFolder sub-orchestration
 * each), while the mailbox's other lanes run beside it. After an error no folder of the mailbox
 * can survive (auth, quota), the lane's remaining folders are reported with it, not attempted.
 */
export const migrateFolderLane: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<FolderLaneInput>();
  const outcomes: FolderOutcome[] = [];
  let fatal: { code: string; message: string } | undefined;
  for (const { index, task } of input.folders) {
    if (fatal) {
      outcomes.push({ sourcePath: task.sourcePath, destinationPath: task.destinationPath, state: 'failed', copiedThisPass: 0, error: fatal });
      continue;
    }
    const ref = folderRef({ key: input.mailbox, sourceEmail: input.sourceEmail, destinationEmail: input.destinationEmail, ...(input.controls ? { controls: input.controls } : {}) }, task);
    const child: MigrateFolderInput = { ref, lease: input.lease, ...(task.start ? { start: task.start } : {}), afterUid: 0, copiedThisPass: 0, throttleWaits: 0, syncFlags: input.syncFlags };
    const outcome: FolderOutcome = yield context.df.callSubOrchestrator(ORCHESTRATORS.migrateFolder, child, `${input.mailboxInstance}:f${index}`);
    outcomes.push(outcome);
    if (outcome.error && MAILBOX_FATAL.includes(outcome.error.code)) fatal = outcome.error;
  }
  return outcomes;
};

df.app.orchestration(ORCHESTRATORS.migrateFolderLane, migrateFolderLane);
