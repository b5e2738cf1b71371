/** Reads named secrets. Values are registered for redaction as soon as they are read. */
export interface SecretStore {
  getSecret(name: string): Promise<string>;
}
