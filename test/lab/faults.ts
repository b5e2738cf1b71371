/**
 * "The next N requests fail with status S": how tests make the stand-ins throttle (429 +
 * Retry-After) or fail (503). A fault can be scoped to one key (a client id on the token
 * endpoint, a secret name on Key Vault) so test files running in parallel do not consume each
 * other's faults.
 */
export interface Fault {
  status: number;
  retryAfterSeconds?: number;
}

interface QueuedFault extends Fault {
  remaining: number;
  key?: string;
}

export class FaultQueue {
  private readonly queue: QueuedFault[] = [];

  add(fault: Fault & { count: number; key?: string }): void {
    if (fault.count > 0) this.queue.push({ status: fault.status, retryAfterSeconds: fault.retryAfterSeconds, remaining: fault.count, key: fault.key });
  }

  clear(): void {
    this.queue.length = 0;
  }

  /** Consumes one fault that applies to `key` (scoped first, then unscoped), if any. */
  take(key: string | undefined): Fault | undefined {
    const i = [
      this.queue.findIndex((f) => f.key !== undefined && f.key === key),
      this.queue.findIndex((f) => f.key === undefined),
    ].find((n) => n >= 0);
    if (i === undefined) return undefined;
    const f = this.queue[i]!;
    f.remaining -= 1;
    if (f.remaining <= 0) this.queue.splice(i, 1);
    return { status: f.status, retryAfterSeconds: f.retryAfterSeconds };
  }
}
