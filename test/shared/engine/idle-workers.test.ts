import { describe, expect, it } from 'vitest';
import { IdleWorkers } from '../../../shared/engine/idle-workers.js';

describe('IdleWorkers', () => {
  it('lends nothing while a folder with anything to copy waits for a worker', () => {
    const idle = new IdleWorkers({ concurrency: 3 }, 4);
    const ends = [idle.started(), idle.started(), idle.started()];
    expect(idle.borrow(2)).toBe(0);
    ends[0]!();
    // The fourth folder takes the freed worker: still none idle.
    idle.started();
    expect(idle.borrow(2)).toBe(0);
  });

  it('lends the workers no copying folder holds, once every folder has started; lent ones are busy until given back', () => {
    const idle = new IdleWorkers({ concurrency: 3 }, 2);
    const big = idle.started();
    const small = idle.started();
    expect(idle.borrow(5)).toBe(1);
    small();
    small(); // told twice: counted once
    expect(idle.borrow(5)).toBe(1);
    expect(idle.lent).toBe(2);
    expect(idle.borrow(1)).toBe(0);
    idle.giveBack(2);
    expect(idle.lent).toBe(0);
    big();
    expect(idle.borrow(8)).toBe(3);
  });

  it('does not count folders with nothing to copy: a mailbox of one big folder and many empty ones lends from the start', () => {
    // One folder to copy, three workers; the empty folders are queued behind it but never counted.
    const idle = new IdleWorkers({ concurrency: 3 }, 1);
    idle.started();
    expect(idle.borrow(8)).toBe(2);
  });

  it('follows the limiter\'s concurrency as the batch lends it more workers', () => {
    const limiter = { concurrency: 1 };
    const idle = new IdleWorkers(limiter, 1);
    idle.started();
    expect(idle.borrow(2)).toBe(0);
    limiter.concurrency = 3;
    expect(idle.borrow(2)).toBe(2);
    expect(idle.borrow(0)).toBe(0);
  });
});
