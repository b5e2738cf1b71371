import { describe, expect, it } from 'vitest';
import { byeFailure, parseTaggedAnswer, refusal } from '../../../shared/adapters/imap/protocol/tagged-answer.js';
import { CLASSIFY_RULES, classify, matchingRule, type ErrorSite } from '../../../shared/errors/classify.js';
import { ImapFailure } from '../../../shared/errors/imap-failure.js';
import { MigrationError } from '../../../shared/errors/migration-error.js';

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
  { rule: 'token endpoint temporarily unavailable', site: 'token', err: e('90033: AADSTS90033: A transient error has occurred. Please try again.', { errorCode: '90033', name: 'ServerError' }), code: 'TOKEN_REQUEST_FAILED', errorClass: 'transient' },
  { rule: 'token endpoint unavailable', site: 'token', err: e('network_error: Network request failed', { errorCode: 'network_error' }), code: 'TOKEN_REQUEST_FAILED', errorClass: 'transient' },
  { rule: 'key vault sign-in failed', site: 'keyvault', err: e('invalid_client: Error(s): 7000215 - Description: AADSTS7000215: Invalid client secret provided.', { name: 'AuthenticationRequiredError' }), code: 'KEY_VAULT_SIGN_IN_FAILED', errorClass: 'permanent' },
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

  it('classify: a Key Vault credential that cannot get a token (unknown tenant, unreachable authority) is KEY_VAULT_SIGN_IN_FAILED, not INTERNAL', () => {
    for (const message of ['The current credential is not configured to acquire tokens for tenant x.', 'endpoints_resolution_error: See https://aka.ms/msal.js.errors#endpoints_resolution_error for details']) {
      expect(classify(e(message, { name: 'CredentialUnavailableError' }), 'keyvault').code).toBe('KEY_VAULT_SIGN_IN_FAILED');
    }
    // The name alone decides only for the identity library's errors: elsewhere an unknown name is still INTERNAL.
    expect(classify(e('x', { name: 'RangeError' }), 'source').code).toBe('INTERNAL');
  });

  it('classify: an unknown programmer error is INTERNAL and permanent (never retried)', () => {
    const m = classify(new TypeError('x is not a function'), 'source');
    expect(m.code).toBe('INTERNAL');
    expect(m.errorClass).toBe('permanent');
  });

  it('classify: what the engine meets unclassified is INTERNAL and named for the engine, never read as a source IMAP answer', () => {
    const met = [new TypeError('x is not a function'), e('read ECONNRESET', { code: 'ECONNRESET' }), e('Command failed', { serverResponseCode: 'NONEXISTENT' }), e('self-signed certificate', { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })];
    for (const err of met) {
      const m = classify(err, 'engine');
      expect({ code: m.code, errorClass: m.errorClass, rule: matchingRule(err, 'engine') }).toEqual({ code: 'INTERNAL', errorClass: 'permanent', rule: undefined });
      expect(m.message).toMatch(/^engine: /);
    }
    const classified = new MigrationError('SECRET_NOT_FOUND', 'permanent', 'Key Vault: secret not found');
    expect(classify(classified, 'engine')).toBe(classified);
  });

  it('classify: a server text the error carries twice (message and responseText) is said once', () => {
    const text = 'Request is throttled. Suggested Backoff Time: 3000 milliseconds';
    const m = classify(e(`Command failed: ${text}`, { responseText: text, response: text, responseStatus: 'NO' }), 'destination');
    expect(m.code).toBe('IMAP_THROTTLED');
    expect(m.message.split(text).length - 1, m.message).toBe(1);
  });

  it('classify: a token in the error text is redacted from the message', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwcyJ9.c2lnbmF0dXJlLXZhbHVl';
    const m = classify(e(`AUTHENTICATE XOAUTH2 failed for Bearer ${jwt}`, { authenticationFailed: true }), 'source');
    expect(m.message).not.toContain(jwt);
    expect(JSON.stringify(m)).not.toContain(jwt);
  });

  it('classify: an ImapFailure is read in its own branch, not as a generic error with a code field', () => {
    const m = classify(new ImapFailure('no', 'OVERQUOTA', 'Quota exceeded'), 'destination');
    expect(m.code).toBe('OVER_QUOTA');
    expect(m.message).toBe('destination IMAP: Command failed | Quota exceeded');
  });
});

/**
 * The raw protocol library's failures, one row per answer the raw connection meets, each against
 * the imapflow-shaped object the connection built for the same answer before the library: same
 * ErrorCode, class, retryAfterMs and message.
 */
interface FailureRow {
  name: string;
  site: ErrorSite;
  failure: ImapFailure;
  before: unknown;
  code: string;
  errorClass: string;
  retryAfterMs?: number;
}

/** The object the raw connection used to build for a tagged NO/BAD line (the text after the tag). */
function legacyTagged(rest: string): Record<string, unknown> {
  const status = /^(\S+)/.exec(rest)?.[1]?.toUpperCase();
  const code = /^\S+ \[([A-Z-]+)/i.exec(rest)?.[1]?.toUpperCase() ?? '';
  const text = rest.replace(/^\S+\s+(\[[^\]]*\]\s*)?/, '');
  return { message: 'Command failed', code: status ?? 'BAD', responseText: text, serverResponseCode: code, responseStatus: status, authenticationFailed: code === 'AUTHENTICATIONFAILED' };
}

const tagged = (name: string, site: ErrorSite, rest: string, code: string, errorClass: string, retryAfterMs?: number): FailureRow => ({
  name,
  site,
  failure: refusal(parseTaggedAnswer(`A1 ${rest}`)),
  before: legacyTagged(rest),
  code,
  errorClass,
  ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
});

const bye = (name: string, site: ErrorSite, line: string, code: string, errorClass: string, retryAfterMs?: number): FailureRow => ({
  name,
  site,
  failure: byeFailure(line),
  before: { message: 'BYE', responseText: line.slice(6), code: 'NoConnection' },
  code,
  errorClass,
  ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
});

const FAILURE_ROWS: FailureRow[] = [
  tagged('NO with Exchange throttling text', 'source', 'NO Request is throttled. Suggested Backoff Time: 29000 milliseconds', 'IMAP_THROTTLED', 'throttled', 29000),
  tagged('NO [AUTHENTICATIONFAILED]', 'destination', 'NO [AUTHENTICATIONFAILED] Authentication failed.', 'IMAP_AUTH_FAILED', 'permanent'),
  tagged('NO authenticated but not connected', 'source', 'NO User is authenticated but not connected.', 'IMAP_NOT_CONNECTED', 'permanent'),
  tagged('NO [OVERQUOTA]', 'destination', 'NO [OVERQUOTA] Quota exceeded (mailbox for user is full)', 'OVER_QUOTA', 'permanent'),
  tagged('NO [TOOBIG]', 'destination', 'NO [TOOBIG] Mail size is too large', 'MESSAGE_TOO_LARGE', 'permanent'),
  tagged('NO [NONEXISTENT]', 'source', 'NO [NONEXISTENT] Mailbox does not exist', 'FOLDER_NOT_FOUND', 'permanent'),
  tagged('NO [TRYCREATE]', 'destination', 'NO [TRYCREATE] Mailbox does not exist', 'IMAP_COMMAND_FAILED', 'permanent'),
  tagged('NO [ALREADYEXISTS]', 'destination', 'NO [ALREADYEXISTS] Mailbox already exists', 'IMAP_COMMAND_FAILED', 'permanent'),
  tagged('NO [UNAVAILABLE]', 'source', 'NO [UNAVAILABLE] Server busy', 'IMAP_COMMAND_FAILED', 'transient'),
  tagged('NO that says it timed out', 'destination', 'NO Command timed out', 'IMAP_TIMEOUT', 'transient'),
  tagged('BAD [CLIENTBUG]', 'destination', 'BAD [CLIENTBUG] Invalid arguments', 'IMAP_COMMAND_FAILED', 'permanent'),
  tagged('BAD without a response code', 'source', 'BAD Error in IMAP command', 'IMAP_COMMAND_FAILED', 'permanent'),
  bye('BYE AccessTokenExpired', 'source', '* BYE Session invalidated - AccessTokenExpired', 'IMAP_TOKEN_EXPIRED', 'transient'),
  bye('BYE with throttling text', 'destination', '* BYE Request is throttled. Suggested Backoff Time: 5000 milliseconds', 'IMAP_THROTTLED', 'throttled', 5000),
  bye('BYE server shutting down', 'destination', '* BYE Server shutting down.', 'IMAP_CONNECTION_FAILED', 'transient'),
  bye('BYE [UNAVAILABLE] (a BYE is never read as a refusal)', 'source', '* BYE [UNAVAILABLE] Try again later', 'IMAP_CONNECTION_FAILED', 'transient'),
  { name: 'connection closed', site: 'source', failure: new ImapFailure('closed', '', 'connection closed'), before: new MigrationError('IMAP_CONNECTION_FAILED', 'transient', 'source IMAP: connection closed'), code: 'IMAP_CONNECTION_FAILED', errorClass: 'transient' },
  { name: 'response line over the bound', site: 'source', failure: new ImapFailure('closed', '', 'response line over 1048576 bytes'), before: new MigrationError('IMAP_CONNECTION_FAILED', 'transient', 'source IMAP: response line over 1048576 bytes'), code: 'IMAP_CONNECTION_FAILED', errorClass: 'transient' },
  { name: 'no answer in time', site: 'destination', failure: new ImapFailure('timeout', '', 'no answer from the server for 300 s'), before: new MigrationError('IMAP_TIMEOUT', 'transient', 'destination IMAP: no answer from the server for 300 s'), code: 'IMAP_TIMEOUT', errorClass: 'transient' },
];

describe('classify: failures of the raw IMAP protocol library', () => {
  for (const row of FAILURE_ROWS) {
    it(`classify: ImapFailure ${row.name} -> ${row.code} / ${row.errorClass}, as the imapflow-shaped error did`, () => {
      const now = classify(row.failure, row.site);
      const before = classify(row.before, row.site);
      expect(now.code).toBe(row.code);
      expect(now.errorClass).toBe(row.errorClass);
      expect(now.retryAfterMs).toBe(row.retryAfterMs);
      expect({ code: now.code, errorClass: now.errorClass, retryAfterMs: now.retryAfterMs, message: now.message }).toEqual({ code: before.code, errorClass: before.errorClass, retryAfterMs: before.retryAfterMs, message: before.message });
    });
  }
});
