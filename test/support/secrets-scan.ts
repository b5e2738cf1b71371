import type { LabInfo } from '../lab/lab-info.js';

const JWT = /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/;

/** Every secret the lab hands out; none of them may ever appear in output, reports or state. */
export function labSecrets(info: LabInfo): string[] {
  return [info.entra.clients.migration.clientSecret, info.entra.clients.vaultReader.clientSecret].filter((s) => s.length > 0);
}

/** Returns what leaked (secret values are never printed: only which one and where). */
export function findLeaks(info: LabInfo, texts: Record<string, string>): string[] {
  const leaks: string[] = [];
  const secrets = labSecrets(info);
  for (const [where, text] of Object.entries(texts)) {
    secrets.forEach((s, i) => {
      if (text.includes(s)) leaks.push(`lab secret #${i} in ${where}`);
    });
    if (JWT.test(text)) leaks.push(`a JWT in ${where}`);
    if (/-----BEGIN [A-Z ]*PRIVATE KEY/.test(text)) leaks.push(`a private key in ${where}`);
  }
  return leaks;
}
