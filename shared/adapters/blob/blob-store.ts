import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { DefaultAzureCredential } from '@azure/identity';
import type { Settings } from '../../config/settings.js';
import { storageServiceUrl } from '../../config/storage-endpoint.js';
import { classify } from '../../errors/classify.js';

/** Blob access for CSVs, status documents and reports; errors are classified as storage errors. */
export class BlobStore {
  private readonly ensured = new Set<string>();

  constructor(private readonly service: BlobServiceClient) {}

  static fromSettings(settings: Settings, env: Readonly<Record<string, string | undefined>>): BlobStore {
    if (settings.storageConnectionString) return new BlobStore(BlobServiceClient.fromConnectionString(settings.storageConnectionString));
    const cred = new DefaultAzureCredential(env.AZURE_CLIENT_ID ? { managedIdentityClientId: env.AZURE_CLIENT_ID } : {});
    return new BlobStore(new BlobServiceClient(storageServiceUrl(settings, 'blob'), cred));
  }

  private async container(name: string): Promise<ContainerClient> {
    const c = this.service.getContainerClient(name);
    if (!this.ensured.has(name)) {
      await c.createIfNotExists();
      this.ensured.add(name);
    }
    return c;
  }

  async get(container: string, name: string): Promise<Buffer | undefined> {
    try {
      const c = await this.container(container);
      return await c.getBlockBlobClient(name).downloadToBuffer();
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return undefined;
      throw classify(e, 'storage');
    }
  }

  async put(container: string, name: string, body: string | Buffer, contentType: string): Promise<void> {
    try {
      const c = await this.container(container);
      const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      await c.getBlockBlobClient(name).uploadData(buf, { blobHTTPHeaders: { blobContentType: contentType } });
    } catch (e) {
      throw classify(e, 'storage');
    }
  }

  async list(container: string, prefix: string): Promise<string[]> {
    try {
      const c = await this.container(container);
      const out: string[] = [];
      for await (const b of c.listBlobsFlat({ prefix })) out.push(b.name);
      return out;
    } catch (e) {
      throw classify(e, 'storage');
    }
  }
}
