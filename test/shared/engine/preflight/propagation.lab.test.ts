import { afterAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../../../shared/config/settings.js';
import { createEngine, type Engine } from '../../../../shared/composition/create-engine.js';
import { preflightMailbox } from '../../../../shared/engine/preflight/index.js';
import { propagationDelayMs, withAuthPropagation } from '../../../../shared/engine/preflight/propagation.js';
import { MigrationError } from '../../../../shared/errors/migration-error.js';
import { getLab, labSettings } from '../../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../../lab/mailboxes.js';

/** A clock that only moves when the code under test sleeps. */
function fakeClock(): { now: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return { now: () => t, sleep: async (ms) => void (slept.push(ms), (t += ms)), slept };
}

const refused = (): MigrationError => new MigrationError('IMAP_AUTH_FAILED', 'permanent', 'source IMAP: NO [AUTHENTICATIONFAILED] Authentication failed.');

describe('auth propagation retry (fake clock)', () => {
  it('propagationDelayMs: doubles from the first delay, caps at the maximum, cuts the last wait to the window end, then stops', () => {
    const o = { windowMs: 10_000, firstDelayMs: 1_000, maxDelayMs: 3_000 };
    expect([1, 2, 3, 4].map((n) => propagationDelayMs(n, 0, o))).toEqual([1_000, 2_000, 3_000, 3_000]);
    expect(propagationDelayMs(3, 9_500, o)).toBe(500);
    expect(propagationDelayMs(3, 10_000, o)).toBeUndefined();
    expect(propagationDelayMs(1, 0, { windowMs: 0 })).toBeUndefined();
  });

  it('withAuthPropagation: a refusal that clears within the window is retried until it passes', async () => {
    const clock = fakeClock();
    let calls = 0;
    const v = await withAuthPropagation(async () => {
      calls += 1;
      if (calls < 4) throw refused();
      return 'in';
    }, { windowMs: 60_000, firstDelayMs: 5_000, now: clock.now, sleep: clock.sleep });
    expect(v).toBe('in');
    expect(clock.slept).toEqual([5_000, 10_000, 20_000]);
  });

  it('withAuthPropagation: a refusal that outlasts the window is thrown as permanent, saying how long it was retried', async () => {
    const clock = fakeClock();
    const p = withAuthPropagation(() => Promise.reject(refused()), { windowMs: 60_000, firstDelayMs: 5_000, maxDelayMs: 20_000, now: clock.now, sleep: clock.sleep });
    await expect(p).rejects.toMatchObject({ code: 'IMAP_AUTH_FAILED', errorClass: 'permanent', message: expect.stringContaining('still refused after 6 attempts over 60 s') as string });
    expect(clock.slept).toEqual([5_000, 10_000, 20_000, 20_000, 5_000]);
  });

  it('withAuthPropagation: other errors, and any refusal with a zero window, are thrown at once', async () => {
    const clock = fakeClock();
    const other = new MigrationError('TOKEN_INVALID_CLIENT', 'permanent', 'token endpoint: AADSTS7000215');
    await expect(withAuthPropagation(() => Promise.reject(other), { windowMs: 60_000, now: clock.now, sleep: clock.sleep })).rejects.toBe(other);
    const r = refused();
    await expect(withAuthPropagation(() => Promise.reject(r), { windowMs: 0, now: clock.now, sleep: clock.sleep })).rejects.toBe(r);
    expect(clock.slept).toEqual([]);
  });

  it('withAuthPropagation: bad options fail before the first attempt, naming the option', async () => {
    let called = false;
    const fn = async (): Promise<void> => void (called = true);
    await expect(withAuthPropagation(fn, { windowMs: -1 })).rejects.toThrow(/windowMs must be/);
    await expect(withAuthPropagation(fn, { windowMs: 1_000, firstDelayMs: 0 })).rejects.toThrow(/firstDelayMs must be above 0/);
    expect(called).toBe(false);
  });
});

describe('auth propagation in preflight, against the lab (real clock, 2 s window)', () => {
  const lab = getLab();
  const env = labSettings(lab, { STORAGE_CONNECTION_STRING: '' });
  let engine: Engine | undefined;
  afterAll(async () => engine?.close());

  it('preflightMailbox: a grant that lands 1 s after the start passes; one that never lands fails once the window has passed', async () => {
    engine = createEngine(loadSettings(env), env, { log: { info: () => undefined, warn: () => undefined }, state: 'file' });
    const late = uniqueAddress('pf-late');
    const never = uniqueAddress('pf-never');
    await addMailbox(lab, 'destination', late);
    await addMailbox(lab, 'destination', never);
    const opts = { propagationWindowMs: 2_000, propagation: { firstDelayMs: 200, maxDelayMs: 400 } };

    const started = Date.now();
    // The "grant" (the source users file entry) arrives one second into the preflight.
    let grantedMs = 0;
    const grant = new Promise<void>((resolve, reject) => setTimeout(() => addMailbox(lab, 'source', late).then(() => resolve(void (grantedMs = Date.now() - started)), reject), 1_000));
    const [lateResult, neverResult] = await Promise.all([
      preflightMailbox(engine, { line: 2, sourceEmail: late, destinationEmail: late }, opts).then((r) => ({ r, ms: Date.now() - started })),
      preflightMailbox(engine, { line: 3, sourceEmail: never, destinationEmail: never }, opts).then((r) => ({ r, ms: Date.now() - started })),
      grant,
    ]);
    console.log(`propagation: grant written at ${grantedMs} ms; late grant passed after ${lateResult.ms} ms, missing grant failed after ${neverResult.ms} ms`);
    expect(grantedMs, 'the premise: the grant landed inside the window').toBeLessThan(1_800);

    const lateLogin = lateResult.r.checks.find((c) => c.id === 'login' && c.side === 'source')!;
    expect(lateResult.r.ok, JSON.stringify(lateResult.r.checks)).toBe(true);
    expect(lateLogin.detail).toMatch(/refused \d+ time\(s\) first, accepted after [\d.]+ s \(a grant was still propagating\)/);
    expect(lateResult.ms).toBeGreaterThanOrEqual(1_000);
    expect(lateResult.ms).toBeLessThan(2_500);

    const neverLogin = neverResult.r.checks.find((c) => c.id === 'login' && c.side === 'source')!;
    expect(neverResult.r.ok).toBe(false);
    expect(neverLogin).toMatchObject({ status: 'fail', code: 'IMAP_AUTH_FAILED' });
    expect(neverLogin.detail).toMatch(/still refused after \d+ attempts over 2 s/);
    expect(neverLogin.cause).toContain('the app has no FullAccess on this mailbox');
    expect(neverResult.ms).toBeGreaterThanOrEqual(2_000);
    expect(neverResult.ms).toBeLessThan(4_000);
  });
});
