import { constants, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** Compact JWS (RFC 7515) with the two algorithms Entra and MSAL use: RS256 and PS256. */

export type JwtAlg = 'RS256' | 'PS256';
export type JwtHeader = Record<string, unknown> & { alg: string };
export type JwtClaims = Record<string, unknown>;

export interface DecodedJwt {
  header: JwtHeader;
  claims: JwtClaims;
  signingInput: string;
  signature: Buffer;
}

const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/** PS256 = RSASSA-PSS with SHA-256 and a 32-byte salt (RFC 7518 §3.5), as jsonwebtoken signs it for MSAL. */
function padding(alg: string, verifying: boolean): { padding: number; saltLength?: number } {
  if (alg !== 'PS256') return { padding: constants.RSA_PKCS1_PADDING };
  return { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: verifying ? constants.RSA_PSS_SALTLEN_AUTO : constants.RSA_PSS_SALTLEN_DIGEST };
}

export function signJwt(claims: JwtClaims, privateKey: KeyObject | string, header: Record<string, unknown> = {}, alg: JwtAlg = 'RS256'): string {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  const input = `${b64url({ typ: 'JWT', ...header, alg })}.${b64url(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key, ...padding(alg, false) }).toString('base64url')}`;
}

/** Parses without verifying; undefined when the text is not a JWS with JSON header and payload. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  try {
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as unknown;
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as unknown;
    if (typeof header !== 'object' || header === null || typeof claims !== 'object' || claims === null) return undefined;
    if (typeof (header as { alg?: unknown }).alg !== 'string') return undefined;
    return { header: header as JwtHeader, claims: claims as JwtClaims, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
  } catch {
    return undefined;
  }
}

/** True when the signature is valid for `publicKey` (PEM key or certificate) under the header's alg. */
export function verifyJwtSignature(jwt: DecodedJwt, publicKey: KeyObject | string): boolean {
  const alg = jwt.header.alg;
  if (alg !== 'RS256' && alg !== 'PS256') return false;
  try {
    const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
    return verify('sha256', Buffer.from(jwt.signingInput), { key, ...padding(alg, true) }, jwt.signature);
  } catch {
    return false;
  }
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
