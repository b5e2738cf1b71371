/**
 * Who claims a mailbox pair's lease in the Functions app: the batch, and the mailbox
 * orchestration of that batch's pass that works the pair. Orchestrations carry it to every
 * activity of the pair; it names instances only (no secret, no address).
 */
export interface PairLeaseClaim {
  batchId: string;
  /** The migrateMailbox instance id (`<batchId>:p<pass>:m<line>`). */
  instanceId: string;
}
