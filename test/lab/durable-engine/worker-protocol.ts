/** What the lab and the worker stand-in (worker-bridge.ts) exchange besides the engine's own calls. */

/**
 * An activity fault for the next `count` calls of `activity` whose input JSON contains
 * `inputContains`: throw before running it, run it and then throw (the result is lost on its way
 * back, as with a dropped connection), answer `result` without running it, or run it `delayMs` late.
 */
export interface ActivityFault {
  activity: string;
  action: 'throw-before' | 'throw-after' | 'return' | 'delay';
  count: number;
  inputContains?: string;
  message?: string;
  result?: unknown;
  delayMs?: number;
}

/** A blob or HTTP trigger invocation, as the Functions host would deliver it. */
export interface TriggerCall {
  blob?: { name: string; base64: string };
  http?: { method: string; url: string; params?: Record<string, string>; query?: Record<string, string>; headers?: Record<string, string>; body?: string };
}

/** An HTTP trigger's answer as the stand-in returns it. */
export interface HttpAnswer {
  status: number;
  jsonBody: unknown;
  body: string | null;
}

/** What the engine host's `inventory` command writes: a task hub's storage, as text (host/HubInventory.cs). */
export interface HubInventory {
  /** Table name -> its entities, every property as text. */
  Tables: Record<string, Record<string, string>[]>;
  /** Queue name -> the messages still in it (at most 32 each). */
  Queues: Record<string, string[]>;
  /** `<container>/<blob>` -> content (large messages decompressed). */
  Blobs: Record<string, string>;
}
