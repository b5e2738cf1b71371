import type { ErrorClass, ErrorCode } from '../contracts/error-codes.js';
import { ImapFailure } from './imap-failure.js';
import { MigrationError } from './migration-error.js';

/**
 * Where the error happened: the same signal means different things on different services.
 * 'engine' is work that touches both sides or no service: every service's errors arrive there
 * already classified by their adapter, so what is still unclassified is no service's answer.
 */
export type ErrorSite = 'source' | 'destination' | 'token' | 'keyvault' | 'storage' | 'engine';

/** The fields we read off errors from imapflow, MSAL and the Azure SDKs. */
export interface ErrorSignal {
  site: ErrorSite;
  code: string;
  text: string;
  serverResponseCode: string;
  statusCode: number;
  authenticationFailed: boolean;
  tlsFailed: boolean;
  mailboxMissing: boolean;
  throttleResetMs?: number;
  retryAfterMs?: number;
}

export interface ClassifyRule {
  /** A short name; the test table has one row per rule. */
  name: string;
  when: (s: ErrorSignal) => boolean;
  code: ErrorCode | ((s: ErrorSignal) => ErrorCode);
  errorClass: ErrorClass;
}

const IMAP_SITES: readonly ErrorSite[] = ['source', 'destination'];
const isImap = (s: ErrorSignal): boolean => IMAP_SITES.includes(s.site);
const THROTTLE_TEXT = /Request is throttled\. Suggested Backoff Time: (\d+) milliseconds/i;
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENETDOWN', 'ESOCKETTIMEDOUT', 'UND_ERR_SOCKET', 'REQUEST_SEND_ERROR']);
const IMAP_TRANSIENT_CODES = new Set(['NoConnection', 'EConnectionClosed', 'ClosedAfterConnectText', 'ClosedAfterConnectTLS', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT', 'ETIMEOUT', 'StateLogout', 'LockTimeout', 'UnexpectedTag', 'MissingTag']);
/** @azure/identity's failures to get a token: their kind is only in `name`. */
const IDENTITY_ERRORS = new Set(['CredentialUnavailableError', 'AuthenticationRequiredError', 'AuthenticationError', 'AggregateAuthenticationError']);
const TLS_CODES = /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|CERT_HAS_EXPIRED|ERR_TLS_CERT_ALTNAME_INVALID|ERR_SSL_.*)$/;

/** Ordered: the first rule that matches decides. One test per row (test/shared/errors/classify.test.ts). */
export const CLASSIFY_RULES: readonly ClassifyRule[] = [
  { name: 'imap throttled text', when: (s) => isImap(s) && THROTTLE_TEXT.test(s.text), code: 'IMAP_THROTTLED', errorClass: 'throttled' },
  { name: 'imapflow ETHROTTLE', when: (s) => isImap(s) && s.code === 'ETHROTTLE', code: 'IMAP_THROTTLED', errorClass: 'throttled' },
  { name: 'imap token expired', when: (s) => isImap(s) && /AccessTokenExpired/i.test(s.text), code: 'IMAP_TOKEN_EXPIRED', errorClass: 'transient' },
  { name: 'imap authenticated but not connected', when: (s) => isImap(s) && /authenticated but not connected/i.test(s.text), code: 'IMAP_NOT_CONNECTED', errorClass: 'permanent' },
  { name: 'imap authentication failed', when: (s) => isImap(s) && (s.authenticationFailed || s.serverResponseCode === 'AUTHENTICATIONFAILED' || s.serverResponseCode === 'AUTHORIZATIONFAILED'), code: 'IMAP_AUTH_FAILED', errorClass: 'permanent' },
  { name: 'imap over quota', when: (s) => isImap(s) && (s.serverResponseCode === 'OVERQUOTA' || /quota exceeded|over quota|mailbox is full/i.test(s.text)), code: 'OVER_QUOTA', errorClass: 'permanent' },
  { name: 'imap message too large', when: (s) => isImap(s) && (s.serverResponseCode === 'TOOBIG' || /too large|size exceeds|exceeds the maximum|mail size is too big/i.test(s.text)), code: 'MESSAGE_TOO_LARGE', errorClass: 'permanent' },
  { name: 'imap folder missing', when: (s) => isImap(s) && (s.mailboxMissing || s.serverResponseCode === 'NONEXISTENT'), code: 'FOLDER_NOT_FOUND', errorClass: 'permanent' },
  { name: 'imap server unavailable', when: (s) => isImap(s) && (s.serverResponseCode === 'UNAVAILABLE' || s.serverResponseCode === 'SERVERBUG' || s.serverResponseCode === 'INUSE'), code: 'IMAP_COMMAND_FAILED', errorClass: 'transient' },
  { name: 'tls certificate rejected', when: (s) => s.tlsFailed || TLS_CODES.test(s.code), code: (s) => (isImap(s) ? 'IMAP_CONNECTION_FAILED' : s.site === 'keyvault' ? 'KEY_VAULT_UNAVAILABLE' : s.site === 'storage' ? 'STORAGE_UNAVAILABLE' : 'TOKEN_REQUEST_FAILED'), errorClass: 'permanent' },
  { name: 'host not found', when: (s) => s.code === 'ENOTFOUND', code: (s) => (isImap(s) ? 'IMAP_CONNECTION_FAILED' : s.site === 'keyvault' ? 'KEY_VAULT_UNAVAILABLE' : s.site === 'storage' ? 'STORAGE_UNAVAILABLE' : 'TOKEN_REQUEST_FAILED'), errorClass: 'permanent' },
  { name: 'imap connection dropped or timed out', when: (s) => isImap(s) && (IMAP_TRANSIENT_CODES.has(s.code) || NETWORK_CODES.has(s.code) || /BYE|connection (closed|reset)|socket hang up|timed? ?out/i.test(s.text)), code: (s) => (/time/i.test(s.code + s.text) ? 'IMAP_TIMEOUT' : 'IMAP_CONNECTION_FAILED'), errorClass: 'transient' },
  { name: 'token endpoint throttled', when: (s) => s.site === 'token' && (s.statusCode === 429 || /AADSTS50196|throttl/i.test(s.text)), code: 'TOKEN_THROTTLED', errorClass: 'throttled' },
  { name: 'token invalid client', when: (s) => s.site === 'token' && (/invalid_client|unauthorized_client|AADSTS7000215|AADSTS700016|AADSTS700027|AADSTS7000222|AADSTS90002|invalid_scope|AADSTS70011/i.test(s.code + ' ' + s.text)), code: 'TOKEN_INVALID_CLIENT', errorClass: 'permanent' },
  // Entra's "try again" answers, also as MSAL replays them from its throttle cache (without the HTTP status).
  { name: 'token endpoint temporarily unavailable', when: (s) => s.site === 'token' && /temporarily_unavailable|\bserver_error\b|AADSTS90033\b/i.test(s.code + ' ' + s.text), code: 'TOKEN_REQUEST_FAILED', errorClass: 'transient' },
  { name: 'token endpoint unavailable', when: (s) => s.site === 'token' && (s.statusCode >= 500 || s.statusCode === 408 || NETWORK_CODES.has(s.code) || /network_error|endpoints_resolution_error|post_request_failed/i.test(s.code + ' ' + s.text)), code: 'TOKEN_REQUEST_FAILED', errorClass: 'transient' },
  { name: 'key vault sign-in failed', when: (s) => s.site === 'keyvault' && IDENTITY_ERRORS.has(s.code), code: 'KEY_VAULT_SIGN_IN_FAILED', errorClass: 'permanent' },
  { name: 'key vault secret missing', when: (s) => s.site === 'keyvault' && (s.code === 'SecretNotFound' || s.code === 'CertificateNotFound' || s.statusCode === 404), code: 'SECRET_NOT_FOUND', errorClass: 'permanent' },
  { name: 'key vault access denied', when: (s) => s.site === 'keyvault' && (s.statusCode === 401 || s.statusCode === 403 || s.code === 'Forbidden' || /CredentialUnavailable|AuthenticationRequired/i.test(s.code)), code: 'SECRET_ACCESS_DENIED', errorClass: 'permanent' },
  { name: 'azure throttled', when: (s) => (s.site === 'keyvault' || s.site === 'storage') && s.statusCode === 429, code: (s) => (s.site === 'keyvault' ? 'KEY_VAULT_UNAVAILABLE' : 'STORAGE_UNAVAILABLE'), errorClass: 'throttled' },
  { name: 'azure service unavailable', when: (s) => (s.site === 'keyvault' || s.site === 'storage') && (s.statusCode >= 500 || s.statusCode === 408 || NETWORK_CODES.has(s.code)), code: (s) => (s.site === 'keyvault' ? 'KEY_VAULT_UNAVAILABLE' : 'STORAGE_UNAVAILABLE'), errorClass: 'transient' },
  { name: 'storage access denied', when: (s) => s.site === 'storage' && (s.statusCode === 401 || s.statusCode === 403), code: 'STORAGE_UNAVAILABLE', errorClass: 'permanent' },
  { name: 'imap command refused', when: (s) => isImap(s) && (s.code !== '' || s.serverResponseCode !== '' || /^(NO|BAD)\b/.test(s.text)), code: 'IMAP_COMMAND_FAILED', errorClass: 'permanent' },
];

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

function field(e: unknown, name: string): unknown {
  return typeof e === 'object' && e !== null ? (e as Record<string, unknown>)[name] : undefined;
}

/**
 * The raw protocol library's failures, read as the signals imapflow gives for the same answer
 * (a tagged NO/BAD as 'Command failed', a BYE as a dropped connection), so one table decides both.
 */
function imapFailureSignal(f: ImapFailure, site: ErrorSite): ErrorSignal {
  const joined = (...parts: string[]): string => parts.filter(Boolean).join(' | ');
  const refused = f.kind === 'no' || f.kind === 'bad';
  const text = refused ? joined('Command failed', f.text) : f.kind === 'bye' ? joined('BYE', f.responseText) : f.text;
  const m = THROTTLE_TEXT.exec(text);
  return {
    site,
    code: refused ? f.kind.toUpperCase() : f.kind === 'bye' ? 'NoConnection' : f.kind === 'timeout' ? 'ETIMEOUT' : 'EConnectionClosed',
    text,
    // A BYE ends the connection whatever its response code: it is never read as a refusal.
    serverResponseCode: refused ? f.code : '',
    statusCode: 0,
    authenticationFailed: refused && f.code === 'AUTHENTICATIONFAILED',
    tlsFailed: false,
    mailboxMissing: false,
    ...(m ? { retryAfterMs: Number(m[1]) } : {}),
  };
}

/** Reads the known fields off any thrown value without trusting its shape. */
export function toSignal(err: unknown, site: ErrorSite): ErrorSignal {
  if (err instanceof ImapFailure) return imapFailureSignal(err, site);
  const response = field(err, 'response');
  const text = [field(err, 'message'), field(err, 'responseText'), typeof response === 'string' ? response : '', field(err, 'reason'), field(err, 'errorMessage'), field(err, 'subError')]
    .map(str)
    .filter(Boolean)
    // A server's text often comes twice (in the message and as responseText): said once.
    .filter((part, i, parts) => !parts.slice(0, i).some((earlier) => earlier.includes(part)))
    .join(' | ');
  const statusCode = Number(field(err, 'statusCode') ?? field(err, 'status') ?? field(field(err, 'response'), 'status') ?? 0) || 0;
  const throttleReset = field(err, 'throttleReset');
  const m = THROTTLE_TEXT.exec(text);
  const retryAfter = field(err, 'retryAfterMs');
  const throttleWaited = field(err, 'throttleWaited');
  const waited = typeof throttleWaited === 'number' ? throttleWaited : 0;
  return {
    site,
    code: str(field(err, 'code')) || str(field(err, 'errorCode')) || (IDENTITY_ERRORS.has(str(field(err, 'name'))) ? str(field(err, 'name')) : ''),
    text,
    serverResponseCode: str(field(err, 'serverResponseCode')).toUpperCase(),
    statusCode,
    authenticationFailed: field(err, 'authenticationFailed') === true,
    tlsFailed: field(err, 'tlsFailed') === true,
    mailboxMissing: field(err, 'mailboxMissing') === true,
    ...(typeof throttleReset === 'number' ? { throttleResetMs: throttleReset } : {}),
    // imapflow holds the connection for (part of) the suggested time before it rejects: only the rest is left to wait.
    ...(m ? { retryAfterMs: Math.max(0, Number(m[1]) - waited) } : typeof retryAfter === 'number' ? { retryAfterMs: retryAfter } : {}),
  };
}

/** Default wait when a service throttles without saying for how long. */
export const DEFAULT_THROTTLE_MS = 30_000;

/** The name of the rule that decides this error (for tests and diagnostics). */
export function matchingRule(err: unknown, site: ErrorSite): string | undefined {
  return ruleFor(toSignal(err, site))?.name;
}

/** No service's rule reads an error the engine met unclassified: its fields are not that service's answer. */
function ruleFor(s: ErrorSignal): ClassifyRule | undefined {
  return s.site === 'engine' ? undefined : CLASSIFY_RULES.find((r) => r.when(s));
}

const WHERE: Record<ErrorSite, string> = { source: 'source IMAP', destination: 'destination IMAP', token: 'token endpoint', keyvault: 'Key Vault', storage: 'storage', engine: 'engine' };

/**
 * Turns anything thrown by an adapter into a MigrationError with a code and a class.
 * Unknown errors are `INTERNAL`/permanent: a programmer error must not be retried forever.
 */
export function classify(err: unknown, site: ErrorSite): MigrationError {
  if (err instanceof MigrationError) return err;
  const s = toSignal(err, site);
  const rule = ruleFor(s);
  const where = WHERE[site];
  const text = s.text || s.code || 'unknown error';
  if (!rule) return new MigrationError('INTERNAL', 'permanent', `${where}: ${text}`, { cause: err });
  const code = typeof rule.code === 'function' ? rule.code(s) : rule.code;
  const retryAfterMs = rule.errorClass === 'throttled' ? (s.retryAfterMs ?? s.throttleResetMs ?? DEFAULT_THROTTLE_MS) : undefined;
  return new MigrationError(code, rule.errorClass, `${where}: ${text}`, { cause: err, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
}
