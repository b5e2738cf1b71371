import { readFileSync } from 'node:fs';

/** LOCAL_SECRETS_FILE read: its secrets, or what is wrong with it. */
export type LocalSecrets = { secrets: Record<string, string> } | { problem: string };

/**
 * Parses the text of LOCAL_SECRETS_FILE: a JSON object {"secret-name": "value"}. A problem names
 * the setting and what is wrong, never the file's content (it holds secrets; JSON.parse quotes it).
 */
export function parseLocalSecrets(text: string): LocalSecrets {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const at = /position (\d+)/.exec(e instanceof Error ? e.message : '')?.[1];
    return { problem: `LOCAL_SECRETS_FILE is not valid JSON${at !== undefined ? ` (at character ${at})` : ''}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !Object.values(parsed).every((v) => typeof v === 'string')) {
    return { problem: 'LOCAL_SECRETS_FILE must be a JSON object of "name": "value" strings' };
  }
  return { secrets: parsed as Record<string, string> };
}

/** Reads and parses LOCAL_SECRETS_FILE (synchronously: the settings check runs once, at start-up). */
export function readLocalSecrets(path: string): LocalSecrets {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
    return { problem: `LOCAL_SECRETS_FILE cannot be read${code === 'ENOENT' ? ' (no such file)' : code ? ` (${code})` : ''}` };
  }
  return parseLocalSecrets(text);
}
