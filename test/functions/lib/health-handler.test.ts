import { describe, expect, it } from 'vitest';
import { healthHandler } from '../../../functions/lib/health-handler.js';
import { VALID_SETTINGS } from '../../support/valid-settings.js';

describe('GET /api/health', () => {
  it('answers 200 ok when the settings are valid', async () => {
    const res = await healthHandler({ ...VALID_SETTINGS })();
    expect(res.status).toBe(200);
    expect(res.jsonBody).toEqual({ status: 'ok' });
  });

  it('answers 503 naming every wrong key and none of the values', async () => {
    const res = await healthHandler({ ...VALID_SETTINGS, KEY_VAULT_URL: 'http://vault-hunter2.example', RANGE_MAX_MESSAGES: 'hunter2', SOURCE_IMAP_HOST: '' })();
    expect(res.status).toBe(503);
    const body = res.jsonBody as { status: string; problems: string[] };
    expect(body.status).toBe('misconfigured');
    const text = body.problems.join('\n');
    for (const key of ['KEY_VAULT_URL', 'RANGE_MAX_MESSAGES', 'SOURCE_IMAP_HOST']) expect(text).toContain(key);
    expect(JSON.stringify(res.jsonBody)).not.toContain('hunter2');
  });
});
