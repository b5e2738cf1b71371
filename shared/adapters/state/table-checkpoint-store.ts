import { createHash } from 'node:crypto';
import { TableClient, type TableEntity } from '@azure/data-tables';
import type { CheckpointStore } from '../../domain/checkpoints/checkpoint-store.js';
import type { FolderCheckpoint } from '../../domain/checkpoints/folder-checkpoint.js';
import { classify } from '../../errors/classify.js';

const hash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 40);

interface Row {
  mailbox: string;
  data: string;
}

/**
 * The Functions app's ledger in Table Storage: one partition per mailbox pair, one row per
 * source folder. Keys are hashes because PartitionKey/RowKey refuse '/', '\\', '#' and '?',
 * which folder names and addresses may hold; the readable values live in the row.
 */
export class TableCheckpointStore implements CheckpointStore {
  private ready?: Promise<void>;

  constructor(private readonly client: TableClient) {}

  private ensure(): Promise<void> {
    this.ready ??= this.client.createTable().catch((e: unknown) => {
      this.ready = undefined;
      throw classify(e, 'storage');
    });
    return this.ready;
  }

  async get(mailbox: string, sourcePath: string): Promise<FolderCheckpoint | undefined> {
    await this.ensure();
    try {
      const e = await this.client.getEntity<Row>(hash(mailbox), hash(sourcePath));
      return JSON.parse(e.data) as FolderCheckpoint;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return undefined;
      throw classify(e, 'storage');
    }
  }

  async put(mailbox: string, checkpoint: FolderCheckpoint): Promise<void> {
    await this.ensure();
    const entity: TableEntity<Row> = { partitionKey: hash(mailbox), rowKey: hash(checkpoint.sourcePath), mailbox, data: JSON.stringify(checkpoint) };
    try {
      await this.client.upsertEntity(entity, 'Replace');
    } catch (e) {
      throw classify(e, 'storage');
    }
  }

  async list(mailbox: string): Promise<FolderCheckpoint[]> {
    await this.ensure();
    const out: FolderCheckpoint[] = [];
    try {
      for await (const e of this.client.listEntities<Row>({ queryOptions: { filter: `PartitionKey eq '${hash(mailbox)}'` } })) out.push(JSON.parse(e.data) as FolderCheckpoint);
    } catch (e) {
      throw classify(e, 'storage');
    }
    return out;
  }
}
