/**
 * Deterministic instance ids of a batch's children: the batch starts each mailbox's pass under
 * this id, and the dashboard finds it again by the same rule (no list of children is kept).
 */
export const mailboxInstanceId = (batchId: string, pass: number, line: number): string => `${batchId}:p${pass}:m${line}`;

/** The pass of a mailbox instance id (activities get it through their lease claim). */
export function passOfMailboxInstance(instanceId: string): number | undefined {
  const m = /:p(\d+):m\d+$/.exec(instanceId);
  return m ? Number(m[1]) : undefined;
}
