import { describe, expect, it } from 'vitest';
import type { AppendResult } from '../../../../shared/contracts/imap.js';
import { MigrationError } from '../../../../shared/errors/migration-error.js';
import { AppendQueue, headerKept, isMessageRefusal, KEPT_HEADER_BYTES, type AppendOutcomes, type AppendPipeline, type QueuedAppend } from '../../../../shared/engine/copy-range/append-queue.js';
import { subjectOf } from '../../../../shared/engine/fingerprint.js';

interface Deferred {
  promise: Promise<AppendResult | undefined>;
  resolve(r: AppendResult): void;
  reject(e: unknown): void;
}

function deferred(): Deferred {
  let resolve!: (r: AppendResult) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<AppendResult | undefined>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Outcomes as a log of lines, in the order the queue reported them. */
function recorder(): AppendOutcomes & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    stored: (m: QueuedAppend, r: AppendResult) => log.push(`stored ${m.uid}->${r.uid ?? '?'}`),
    refused: (m: QueuedAppend, e: MigrationError) => log.push(`refused ${m.uid} ${e.code}`),
  };
}

const message = (uid: number, appended: Promise<AppendResult | undefined>): QueuedAppend => ({ uid, size: 100, dropped: 0, appended });
const ticks = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('AppendQueue', () => {
  it('reports appends in source UID order and moves done only past settled messages when they settle out of order', async () => {
    const out = recorder();
    const q = new AppendQueue(10, out, undefined, 8);
    const [a, b, c] = [deferred(), deferred(), deferred()];
    q.push(message(10, a.promise));
    q.push(message(11, b.promise));
    q.push(message(12, c.promise));
    expect(q.done).toBe(9);
    c.resolve({ uid: 102 });
    b.resolve({ uid: 101 });
    const drained = q.drain();
    await ticks();
    expect(q.done).toBe(9); // 11 and 12 are stored, but 10 is not yet
    expect(out.log).toEqual([]);
    a.resolve({ uid: 100 });
    await drained;
    expect(out.log).toEqual(['stored 10->100', 'stored 11->101', 'stored 12->102']);
    expect(q.done).toBe(12);
  });

  it('records a permanent refusal of one message in the middle and goes on with the rest', async () => {
    const out = recorder();
    const q = new AppendQueue(1, out, undefined, 8);
    q.push(message(1, Promise.resolve({ uid: 50 })));
    q.push(message(2, Promise.reject(new MigrationError('MESSAGE_TOO_LARGE', 'permanent', 'too big'))));
    q.push(message(3, Promise.resolve({ uid: 51 })));
    await q.drain();
    expect(out.log).toEqual(['stored 1->50', 'refused 2 MESSAGE_TOO_LARGE', 'stored 3->51']);
    expect(q.done).toBe(3);
  });

  it('throws a connection error after two stored, with done left just before the failed message', async () => {
    const out = recorder();
    const q = new AppendQueue(1, out, undefined, 8);
    const lost = new MigrationError('IMAP_CONNECTION_FAILED', 'transient', 'connection reset');
    q.push(message(1, Promise.resolve({ uid: 7 })));
    q.push(message(2, Promise.resolve({ uid: 8 })));
    q.push(message(3, Promise.reject(lost)));
    q.push(message(4, Promise.resolve({ uid: 9 })));
    await expect(q.drain()).rejects.toBe(lost);
    expect(out.log).toEqual(['stored 1->7', 'stored 2->8']);
    expect(q.done).toBe(2);
  });

  it('throws a permanent error of the mailbox (over quota), which is no refusal of one message', async () => {
    const out = recorder();
    const q = new AppendQueue(1, out, undefined, 8);
    q.push(message(1, Promise.reject(new MigrationError('OVER_QUOTA', 'permanent', 'mailbox is full'))));
    await expect(q.drain()).rejects.toMatchObject({ code: 'OVER_QUOTA' });
    expect(out.log).toEqual([]);
    expect(q.done).toBe(0);
  });

  it('settles a message already at the destination in its turn without reporting it stored', async () => {
    const out = recorder();
    const q = new AppendQueue(1, out, undefined, 8);
    q.pushPresent(1);
    q.push(message(2, Promise.resolve({ uid: 3 })));
    await q.drain();
    expect(out.log).toEqual(['stored 2->3']);
    expect(q.done).toBe(2);
  });

  it('counts UIDs never queued (expunged meanwhile) as done once passed, never moving done back', async () => {
    const q = new AppendQueue(1, recorder(), undefined, 8);
    q.push(message(5, Promise.resolve({ uid: 1 })));
    await q.drain();
    q.passed(9);
    await q.drain();
    expect(q.done).toBe(9);
    q.passed(4);
    await q.drain();
    expect(q.done).toBe(9);
  });

  it('moves done past UIDs never queued only after the APPENDs queued before them settle', async () => {
    const q = new AppendQueue(1, recorder(), undefined, 8);
    let store!: (r: { uid: number }) => void;
    q.push(message(3, new Promise((r) => (store = r))));
    q.passed(7);
    expect(q.done).toBe(0);
    const drained = q.drain();
    store({ uid: 40 });
    await drained;
    expect(q.done).toBe(7);
  });

  it('relieves the window only when it is full, flushing the head of the pipeline first', async () => {
    const flushed: Promise<unknown>[] = [];
    const pipeline: AppendPipeline = { flushFor: (p) => flushed.push(p), queuedBytes: 0, batchMessages: 1 };
    const out = recorder();
    const q = new AppendQueue(1, out, pipeline, 3);
    const first = Promise.resolve({ uid: 1 });
    q.push(message(1, first));
    q.push(message(2, Promise.resolve({ uid: 2 })));
    await q.relieve();
    expect(q.length).toBe(2);
    q.push(message(3, Promise.resolve({ uid: 3 })));
    await q.relieve();
    expect(q.length).toBe(2);
    expect(flushed).toEqual([first]);
    expect(out.log).toEqual(['stored 1->1']);
  });

  it('leaves room for two MULTIAPPEND commands whatever the configured depth', async () => {
    const pipeline: AppendPipeline = { flushFor: () => undefined, queuedBytes: 0, batchMessages: 4 };
    const q = new AppendQueue(1, recorder(), pipeline, 1);
    for (let uid = 1; uid <= 7; uid++) q.push(message(uid, Promise.resolve({ uid })));
    await q.relieve();
    expect(q.length).toBe(7);
    q.push(message(8, Promise.resolve({ uid: 8 })));
    await q.relieve();
    expect(q.length).toBe(7);
  });

  it('relieves the window while the connection holds more bytes unsent than the budget', async () => {
    const pipeline = { flushFor: () => undefined, queuedBytes: 5000, batchMessages: 1 };
    const q = new AppendQueue(1, recorder(), pipeline, 100, 4096);
    q.push(message(1, Promise.resolve({ uid: 1 })));
    q.push(message(2, Promise.resolve({ uid: 2 })));
    await q.relieve();
    expect(q.length).toBe(0);
    pipeline.queuedBytes = 100;
    q.push(message(3, Promise.resolve({ uid: 3 })));
    await q.relieve();
    expect(q.length).toBe(1);
  });

  it('leaves no unhandled rejection for a refusal that settles before its turn', async () => {
    const q = new AppendQueue(1, recorder(), undefined, 8);
    const slow = deferred();
    q.push(message(1, slow.promise));
    q.push(message(2, Promise.reject(new MigrationError('MESSAGE_REJECTED', 'permanent', 'malformed'))));
    await new Promise((r) => setTimeout(r, 10)); // an unhandled rejection would fail the run here
    slow.resolve({ uid: 1 });
    await q.drain();
    expect(q.done).toBe(2);
  });
});

describe('isMessageRefusal', () => {
  it('is true only for permanent errors of one message', () => {
    expect(isMessageRefusal(new MigrationError('MESSAGE_TOO_LARGE', 'permanent', 'x'))).toBe(true);
    expect(isMessageRefusal(new MigrationError('MESSAGE_REJECTED', 'permanent', 'x'))).toBe(true);
    for (const code of ['OVER_QUOTA', 'IMAP_AUTH_FAILED', 'FOLDER_NOT_FOUND'] as const) expect(isMessageRefusal(new MigrationError(code, 'permanent', 'x'))).toBe(false);
    expect(isMessageRefusal(new MigrationError('IMAP_TIMEOUT', 'transient', 'x'))).toBe(false);
    expect(isMessageRefusal(new Error('boom'))).toBe(false);
  });
});

describe('headerKept', () => {
  const message = (bodyBytes: number): Buffer => Buffer.from(`From: a@example.com\r\nSubject: Quarterly figures\r\n\r\n${'x'.repeat(bodyBytes)}\r\n`);

  it('keeps a small message as it is', () => {
    const raw = message(1000);
    expect(headerKept(raw)).toBe(raw);
  });

  it('keeps of a large one a copy of its start only, with its subject: the whole message can be freed once sent', () => {
    const raw = message(3 * 1024 * 1024);
    const kept = headerKept(raw);
    expect(kept.length).toBe(KEPT_HEADER_BYTES);
    expect(kept.buffer).not.toBe(raw.buffer);
    expect(subjectOf(kept)).toBe('Quarterly figures');
  });
});
