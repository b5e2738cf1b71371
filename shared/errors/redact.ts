/**
 * Scrubs credentials from text before it reaches a log, a report, an orchestration output or an
 * error message. Libraries beneath us echo what they were given (imapflow logs AUTHENTICATE
 * lines, HTTP errors quote request bodies), so every outgoing message passes through here.
 */
const PATTERNS: readonly [RegExp, string][] = [
  // JWTs (access tokens, client assertions).
  [/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[redacted-jwt]'],
  // Bearer / Basic credentials in headers.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  // SASL XOAUTH2 / OAUTHBEARER / PLAIN initial responses (long base64 after the mechanism).
  [/\b(XOAUTH2|OAUTHBEARER|PLAIN)\s+[A-Za-z0-9+/=]{16,}/gi, '$1 [redacted]'],
  // key=value secrets in connection strings and form bodies.
  [/\b(AccountKey|SharedAccessSignature|client_secret|client_assertion|password|pass|sig|access_token|refresh_token)=([^;&\s"']+)/gi, '$1=[redacted]'],
  [/"(client_secret|client_assertion|access_token|accessToken|password|pass|secret|value)"\s*:\s*"[^"]*"/gi, '"$1":"[redacted]"'],
  // PEM private keys.
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[redacted-private-key]'],
];

const known = new Set<string>();

/** Registers a secret value seen at run time so it is scrubbed wherever it appears later. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) known.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const v of known) {
    if (out.includes(v)) out = out.split(v).join('[redacted]');
  }
  for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
  return out;
}
