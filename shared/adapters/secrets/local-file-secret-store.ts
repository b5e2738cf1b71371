import { readFile } from 'node:fs/promises';
import { parseLocalSecrets } from '../../config/local-secrets-file.js';
import { MigrationError } from '../../errors/migration-error.js';
import { registerSecret } from '../../errors/redact.js';
import type { SecretStore } from '../../contracts/secret-store.js';

/**
 * Local runs without Key Vault: a JSON object {"secret-name": "value"} in LOCAL_SECRETS_FILE.
 * Meant for a workstation and the lab; in Azure, KEY_VAULT_URL always wins.
 */
export class LocalFileSecretStore implements SecretStore {
  private data?: Promise<Record<string, unknown>>;

  constructor(private readonly path: string) {}

  async getSecret(name: string): Promise<string> {
    this.data ??= this.load();
    const all = await this.data;
    const v = all[name];
    if (typeof v !== 'string' || v === '') {
      throw new MigrationError('SECRET_NOT_FOUND', 'permanent', `secret "${name}" is not in LOCAL_SECRETS_FILE`);
    }
    registerSecret(v);
    return v;
  }

  private async load(): Promise<Record<string, unknown>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      throw new MigrationError('SETTINGS_INVALID', 'permanent', 'LOCAL_SECRETS_FILE cannot be read');
    }
    const local = parseLocalSecrets(text);
    if ('problem' in local) throw new MigrationError('SETTINGS_INVALID', 'permanent', local.problem);
    for (const v of Object.values(local.secrets)) registerSecret(v);
    return local.secrets;
  }
}
