import { readFileSync } from 'node:fs';
import { UsageError } from './usage-error.js';
import { SETTING_KEYS } from '../shared/config/schema.js';

/** Keys read from the environment besides the schema: the Azure SDK's own (Key Vault credential). */
const AZURE_ENV = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_AUTHORITY_HOST'];

/**
 * The CLI's settings: a local.settings.json-shaped file ({"Values": {...}}) if given, with
 * environment variables of the same names taking precedence. Errors name the file, never values.
 */
export function readCliSettings(file: string | undefined, env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'is not valid JSON';
      throw new UsageError(`settings file ${file} ${why}`);
    }
    const values = typeof parsed === 'object' && parsed !== null ? (parsed as { Values?: unknown }).Values : undefined;
    if (typeof values !== 'object' || values === null) throw new UsageError(`settings file ${file} has no "Values" object (local.settings.json shape)`);
    for (const [k, v] of Object.entries(values)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
      else throw new UsageError(`settings file ${file}: ${k} must be a string`);
    }
  }
  for (const k of [...SETTING_KEYS, ...AZURE_ENV]) if (env[k] !== undefined) out[k] = env[k];
  return out;
}
