import { describe, expect, it } from 'vitest';
import { CLASSIFY_RULES, classify, matchingRule, type ErrorSite } from '../../../shared/errors/classify.js';

interface Row {
  rule: string;
  site: ErrorSite;
  err: Record<string, unknown>;
  code: string;
  errorClass: string;
  retryAfterMs?: number;
}

const e = (message: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ message, ...extra });

/** One row per rule of CLASSIFY_RULES, with the signal as the library really raises it. */
const ROWS: Row[] = [
  { rule: 'imap throttled text', site: 'source', err: e('Command failed', { responseText: 'Request is throttled. Suggested Backoff Time: 29000 milliseconds', responseStatus: 'NO' }), code: 'IMAP_THROTTLED', errorClass: 'throttled', retryAfterMs: 29000 },
  { rule: 'imapflow ETHROTTLE', site: 'destination', err: e('Throttled', { code: 'ETHROTTLE', throttleReset: 1500 }), code: 'IMAP_THROTTLED', errorClass: 'throttled', retryAfterMs: 1500 },
  { rule: 'imap token expired', site: 'source', err: e('Connection closed', { code: 'NoConnection', reason: 'Session invalidated - AccessTokenExpired' }), code: 'IMAP_TOKEN_EXPIRED', errorClass: 'transient' },
  { rule: 'imap authenticated but not connected', site: 'source', err: e('Command failed', { authenticationFailed: true, responseText: 'User is authenticated but not connected.' }), code: 'IMAP_NOT_CONNECTED', errorClass: 'permanent' },
  { rule: 'imap authentication failed', site: 'destination', err: e('Authentication failed', { authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED', responseText: 'Authentication failed.' }), code: 'IMAP_AUTH_FAILED', errorClass: 'permanent' },
  { rule: 'imap over quota', site: 'destination', err: e('Command failed', { serverResponseCode: 'OVERQUOTA', responseText: 'Quota exceeded (mailbox for user is full)' }), code: 'OVER_QUOTA', errorClass: 'permanent' },
  { rule: 'imap message too large', site: 'destination', err: e('Command failed', { responseText: 'Mail size is too large', responseStatus: 'NO' }), code: 'MESSAGE_TOO_LARGE', errorClass: 'permanent' },
  { rule: 'imap folder missing', site: 'source', err: e('Command failed', { mailboxMissing: true, serverResponseCode: 'NONEXISTENT' }), code: 'FOLDER_NOT_FOUND', errorClass: 'permanent' },
  { rule: 'imap server unavailable', site: 'source', err: e('Command failed', { serverResponseCode: 'UNAVAILABLE', responseText: 'Server busy' }), code: 'IMAP_COMMAND_FAILED', errorClass: 'transient' },
  { rule: 'tls certificate rejected', site: 'source', err: e('self-signed certificate', { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), code: 'IMAP_CONNECTION_FAILED', errorClass: 'permanent' },
  { rule: 'host not found', site: 'keyvault', err: e('getaddrinfo ENOTFOUND vault', { code: 'ENOTFOUND' }), code: 'KEY_VAULT_UNAVAILABLE', errorClass: 'permanent' },
  { rule: 'imap connection dropped or timed out', site: 'destination', err: e('read ECONNRESET', { code: 'ECONNRESET' }), code: 'IMAP_CONNECTION_FAILED', errorClass: 'transient' },
  { rule: 'token endpoint throttled', site: 'token', err: e('server_error', { errorCode: 'server_error', status: 429 }), code: 'TOKEN_THROTTLED', errorClass: 'throttled', retryAfterMs: 30000 },
  { rule: 'token invalid client', site: 'token', err: e('invalid_client: AADSTS7000215: Invalid client secret provided.', { errorCode: 'invalid_client' }), code: 'TOKEN_INVALID_CLIENT', errorClass: 'permanent' },
  { rule: 'token endpoint unavailable', site: 'token', err: e('network_error: Network request failed', { errorCode: 'network_error' }), code: 'TOKEN_REQUEST_FAILED', errorClass: 'transient' },
  { rule: 'key vault secret missing', site: 'keyvault', err: e('Secret not found', { code: 'SecretNotFound', statusCode: 404 }), code: 'SECRET_NOT_FOUND', errorClass: 'permanent' },
  { rule: 'key vault access denied', site: 'keyvault', err: e('Forbidden', { code: 'Forbidden', statusCode: 403 }), code: 'SECRET_ACCESS_DENIED', errorClass: 'permanent' },
  { rule: 'azure throttled', site: 'storage', err: e('Too many requests', { statusCode: 429 }), code: 'STORAGE_UNAVAILABLE', errorClass: 'throttled', retryAfterMs: 30000 },
  { rule: 'azure service unavailable', site: 'keyvault', err: e('Service Unavailable', { statusCode: 503 }), code: 'KEY_VAULT_UNAVAILABLE', errorClass: 'transient' },
  { rule: 'storage access denied', site: 'storage', err: e('AuthorizationFailure', { statusCode: 403 }), code: 'STORAGE_UNAVAILABLE', errorClass: 'permanent' },
  { rule: 'imap command refused', site: 'destination', err: e('Command failed', { responseStatus: 'NO', responseText: 'NO [CANNOT] Invalid mailbox name', serverResponseCode: 'CANNOT' }), code: 'IMAP_COMMAND_FAILED', errorClass: 'permanent' },
];

describe('classify', () => {
  it('the table covers every rule exactly once', () => {
    expect(ROWS.map((r) => r.rule).sort()).toEqual(CLASSIFY_RULES.map((r) => r.name).sort());
  });

  for (const row of ROWS) {
    it(`classify: ${row.rule} -> ${row.code} / ${row.errorClass}`, () => {
      const m = classify(row.err, row.site);
      expect(m.code).toBe(row.code);
      expect(m.errorClass).toBe(row.errorClass);
      expect(matchingRule(row.err, row.site)).toBe(row.rule);
      if (row.retryAfterMs !== undefined) expect(m.retryAfterMs).toBe(row.retryAfterMs);
    });
  }

  it('classify: an unknown programmer error is INTERNAL and permanent (never retried)', () => {
    const m = classify(new TypeError('x is not a function'), 'source');
    expect(m.code).toBe('INTERNAL');
    expect(m.errorClass).toBe('permanent');
  });

  it('classify: a token in the error text is redacted from the message', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwcyJ9.c2lnbmF0dXJlLXZhbHVl';
    const m = classify(e(`AUTHENTICATE XOAUTH2 failed for Bearer ${jwt}`, { authenticationFailed: true }), 'source');
    expect(m.message).not.toContain(jwt);
    expect(JSON.stringify(m)).not.toContain(jwt);
  });
});
