import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CONSENT_STATE_TTL_MS, ConsentSealer } from '../../../../shared/adapters/auth/consent-state.js';

const secrets = { getSecret: () => Promise.resolve('a token cache key value') };

describe('consent state', () => {
  it('opens to the side, mailbox and the verifier whose S256 hash is the challenge sent', async () => {
    const sealer = new ConsentSealer(secrets, 'k');
    const s = await sealer.start('destination', 'Adele@Contoso.com');
    const opened = await sealer.open(s.state, s.cookie);
    expect(opened).toMatchObject({ site: 'destination', mailbox: 'adele@contoso.com' });
    expect(createHash('sha256').update(opened!.verifier).digest('base64url')).toBe(s.challenge);
    expect(s.state).not.toContain('adele');
  });

  it('refuses a changed byte, the cookie of another start, the halves swapped, another key and an expired state', async () => {
    let now = 1_000_000;
    const sealer = new ConsentSealer(secrets, 'k', () => now);
    const one = await sealer.start('source', 'a@b.c');
    const two = await sealer.start('source', 'a@b.c');
    const flipped = `${one.state.slice(0, 30)}${one.state[30] === 'A' ? 'B' : 'A'}${one.state.slice(31)}`;
    expect(await sealer.open(flipped, one.cookie)).toBeUndefined();
    expect(await sealer.open(one.state, two.cookie)).toBeUndefined();
    expect(await sealer.open(one.cookie, one.state)).toBeUndefined();
    expect(await new ConsentSealer({ getSecret: () => Promise.resolve('other') }, 'k', () => now).open(one.state, one.cookie)).toBeUndefined();
    now += CONSENT_STATE_TTL_MS + 1;
    expect(await sealer.open(one.state, one.cookie)).toBeUndefined();
  });

  it('without TOKEN_CACHE_KEY_NAME, a settings error', async () => {
    await expect(new ConsentSealer(secrets, undefined).start('source', 'a@b.c')).rejects.toMatchObject({ code: 'SETTINGS_INVALID' });
  });
});
