/**
 * Entra's error text, shortened for people: MSAL repeats the description in its message and
 * Entra appends Trace ID, Correlation ID and Timestamp lines; one `AADSTSnnnn: sentence` says it.
 */
export function aadstsSummary(text: string): string | undefined {
  const m = /AADSTS\d+:[^\r\n]*?(?=\s*(?:Trace ID:|Correlation ID:|Timestamp:|\r|\n| - |\|)|$)/.exec(text);
  if (!m) return undefined;
  // The first sentence: what follows is advice written for a portal, not for this tool.
  const sentence = /^AADSTS\d+:.*?\.(?=\s|$)/.exec(m[0]);
  return (sentence ? sentence[0] : m[0]).trim();
}

/** The setting (of side `prefix`, e.g. SOURCE) that an AADSTS code points at, if any. */
export function aadstsSetting(text: string, prefix: string): string | undefined {
  const code = /AADSTS(\d+)/.exec(text)?.[1];
  if (code === '7000215' || code === '7000222') return `${prefix}_CLIENT_SECRET_NAME (the client secret it names)`;
  if (code === '700027') return `${prefix}_CLIENT_CERT_NAME (the certificate it names)`;
  if (code === '700016') return `${prefix}_CLIENT_ID`;
  if (code === '90002' || code === '90023') return `${prefix}_TENANT_ID`;
  if (code === '70011' || code === '1002012') return `${prefix}_TOKEN_SCOPE`;
  return undefined;
}
