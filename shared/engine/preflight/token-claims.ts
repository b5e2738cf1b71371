import type { SideSettings } from '../../config/settings.js';
import { EXCHANGE_ONLINE_RESOURCE_APP_ID } from '../../domain/prepare/exchange-online-ids.js';

/**
 * Reads what Entra actually put into the app token, before any IMAP server sees it: Exchange
 * answers a token for the wrong resource or without the role with the same bare "AUTHENTICATE
 * failed" as a missing mailbox grant, so the claims are the only place the two differ.
 */

export type ClaimProblemCode = 'WRONG_AUDIENCE' | 'MISSING_ROLE' | 'WRONG_TENANT' | 'WRONG_APP';

export interface ClaimProblem {
  code: ClaimProblemCode;
  detail: string;
}

export interface ClaimsVerdict {
  problems: ClaimProblem[];
  /** The claims that matter, for the report (never the token). */
  summary: string;
}

export const IMAP_ROLE = 'IMAP.AccessAsApp';
export const EXCHANGE_ONLINE_AUDIENCE = 'https://outlook.office365.com';

/** Exchange Online's resource in each cloud, and its app id (v2 tokens carry that as `aud`). */
const EXCHANGE_AUDIENCES = new Set([
  EXCHANGE_ONLINE_AUDIENCE,
  'https://outlook.office.com',
  'https://outlook.office365.us',
  'https://outlook.office365.com.mcas.ms',
  'https://partner.outlook.cn',
  EXCHANGE_ONLINE_RESOURCE_APP_ID,
]);

/** Microsoft resources that are not IMAP: a token for one of them can never open a mailbox. */
const MICROSOFT_HOST = /(^|\.)(microsoft\.com|azure\.net|azure\.com|windows\.net|microsoftonline\.com|office\.com|office365\.com|office365\.us|chinacloudapi\.cn|usgovcloudapi\.net)$/i;

const normalise = (v: string): string => v.trim().replace(/\/+$/, '').toLowerCase();

export function scopeResource(scope: string): string {
  return normalise(scope.replace(/\/\.default$/i, ''));
}

function isMicrosoftResource(resource: string): boolean {
  try {
    return MICROSOFT_HOST.test(new URL(resource).hostname);
  } catch {
    return false;
  }
}

/**
 * The audiences a token for this side may carry: Exchange Online's whenever the side is
 * Exchange or the scope names any Microsoft resource (a Graph or Key Vault scope is a mistake,
 * not a choice); the scope's own resource for a third-party IMAP server with its own OAuth.
 */
export function expectedAudiences(side: SideSettings): { audiences: ReadonlySet<string>; exchange: boolean } {
  const resource = scopeResource(side.tokenScope);
  const exchange = side.serverKind === 'exchange' || EXCHANGE_AUDIENCES.has(resource) || isMicrosoftResource(resource);
  return { audiences: exchange ? new Set([...EXCHANGE_AUDIENCES].map(normalise)) : new Set([resource]), exchange };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

export function checkTokenClaims(claims: Readonly<Record<string, unknown>>, side: SideSettings): ClaimsVerdict {
  const problems: ClaimProblem[] = [];
  const { audiences, exchange } = expectedAudiences(side);
  const aud = strings(claims.aud);
  const roles = strings(claims.roles);
  const tid = typeof claims.tid === 'string' ? claims.tid : '';
  const appId = typeof claims.appid === 'string' ? claims.appid : typeof claims.azp === 'string' ? claims.azp : '';
  const wanted = exchange ? EXCHANGE_ONLINE_AUDIENCE : [...audiences][0] ?? '';

  if (!aud.some((a) => audiences.has(normalise(a)))) {
    problems.push({ code: 'WRONG_AUDIENCE', detail: `the token is for "${aud.join(', ') || '(no aud)'}", not for ${wanted}` });
  }
  if (exchange && !roles.includes(IMAP_ROLE)) {
    problems.push({ code: 'MISSING_ROLE', detail: `the token's roles are [${roles.join(', ')}], without ${IMAP_ROLE}` });
  }
  if (side.tenantId && GUID.test(side.tenantId) && tid.toLowerCase() !== side.tenantId.toLowerCase()) {
    problems.push({ code: 'WRONG_TENANT', detail: `the token's tenant (tid) is "${tid}", not the configured tenant ${side.tenantId}` });
  }
  if (side.clientId && appId !== '' && appId.toLowerCase() !== side.clientId.toLowerCase()) {
    problems.push({ code: 'WRONG_APP', detail: `the token was issued to app "${appId}", not to the configured client id ${side.clientId}` });
  }
  const credential = claims.appidacr === '2' || claims.azpacr === '2' ? ', signed in with a certificate' : claims.appidacr === '1' || claims.azpacr === '1' ? ', signed in with a client secret' : '';
  const summary = `aud ${aud.join(', ') || '(none)'}, roles [${roles.join(', ')}], tid ${tid || '(none)'}, app ${appId || '(none)'}${credential}`;
  return { problems, summary };
}
