import { createHash } from 'node:crypto';
import { TableClient, type TableEntity } from '@azure/data-tables';
import { decodeUidMap, encodeUidPairs, type CheckpointStore, type UidMap } from '../../domain/checkpoints/checkpoint-store.js';
import type { FolderCheckpoint } from '../../domain/checkpoints/folder-checkpoint.js';
import type { BudgetWindow } from '../../domain/budget/byte-budget.js';
import { classify } from '../../errors/classify.js';

const hash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 40);

interface Row {
  mailbox: string;
  data: string;
}

/** Rows of the UID map share the folder's partition; their RowKey sorts by write order. */
const MAP_PREFIX = 'map-';
const CLOSED_ROW = 'closed';
const PAUSE_ROW = 'paused';
const BUDGET_ROW = 'budget';
/** The pair's lease (TablePairLeases) lives in its ledger partition, beside the rows it guards. */
export const LEASE_ROW = 'lease';
/** Rows of a ledger partition that are not a folder's checkpoint (the map rows start with MAP_PREFIX). */
const PAIR_ROWS: ReadonlySet<string> = new Set([CLOSED_ROW, PAUSE_ROW, BUDGET_ROW, LEASE_ROW]);
export const pairPartitionKey = (mailbox: string): string => hash(mailbox);

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

  async appendUidMap(mailbox: string, sourcePath: string, destUidValidity: string, pairs: readonly (readonly [number, number])[]): Promise<void> {
    if (pairs.length === 0) return;
    await this.ensure();
    // One row per append (a range: at most RANGE_MAX_MESSAGES pairs, well under 64 KB a property).
    const rowKey = `${MAP_PREFIX}${hash(sourcePath)}-${String(pairs[0]![0]).padStart(10, '0')}-${String(Date.now()).padStart(15, '0')}`;
    try {
      await this.client.upsertEntity<Row>({ partitionKey: hash(mailbox), rowKey, mailbox, data: encodeUidPairs(destUidValidity, pairs) }, 'Replace');
    } catch (e) {
      throw classify(e, 'storage');
    }
  }

  async readUidMap(mailbox: string, sourcePath: string): Promise<UidMap | undefined> {
    await this.ensure();
    const lo = `${MAP_PREFIX}${hash(sourcePath)}-`;
    const texts: { key: string; data: string }[] = [];
    try {
      const filter = `PartitionKey eq '${hash(mailbox)}' and RowKey ge '${lo}' and RowKey lt '${lo}~'`;
      for await (const e of this.client.listEntities<Row>({ queryOptions: { filter } })) texts.push({ key: e.rowKey ?? '', data: e.data });
    } catch (e) {
      throw classify(e, 'storage');
    }
    // Rows sort by first source UID, then time: a newer UIDVALIDITY always has later rows for the same UIDs.
    texts.sort((a, b) => (a.key.slice(-15) < b.key.slice(-15) ? -1 : 1));
    return texts.length === 0 ? undefined : decodeUidMap(texts.map((t) => t.data).join(''));
  }

  async markClosed(mailbox: string, at: string): Promise<void> {
    await this.ensure();
    try {
      await this.client.upsertEntity<Row>({ partitionKey: hash(mailbox), rowKey: CLOSED_ROW, mailbox, data: JSON.stringify({ closedAt: at }) }, 'Replace');
    } catch (e) {
      throw classify(e, 'storage');
    }
  }

  async closedAt(mailbox: string): Promise<string | undefined> {
    await this.ensure();
    try {
      const e = await this.client.getEntity<Row>(hash(mailbox), CLOSED_ROW);
      return (JSON.parse(e.data) as { closedAt?: string }).closedAt;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return undefined;
      throw classify(e, 'storage');
    }
  }

  async pauseMailbox(mailbox: string, until: string): Promise<void> {
    await this.ensure();
    try {
      await this.client.upsertEntity<Row>({ partitionKey: hash(mailbox), rowKey: PAUSE_ROW, mailbox, data: JSON.stringify({ until }) }, 'Replace');
    } catch (e) {
      throw classify(e, 'storage');
    }
  }

  async pausedUntil(mailbox: string): Promise<string | undefined> {
    await this.ensure();
    try {
      return (JSON.parse((await this.client.getEntity<Row>(hash(mailbox), PAUSE_ROW)).data) as { until?: string }).until;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return undefined;
      throw classify(e, 'storage');
    }
  }

  async readBudget(mailbox: string): Promise<{ window?: BudgetWindow; version?: string }> {
    await this.ensure();
    try {
      const e = await this.client.getEntity<Row>(hash(mailbox), BUDGET_ROW);
      return { window: JSON.parse(e.data) as BudgetWindow, ...(e.etag ? { version: e.etag } : {}) };
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return {};
      throw classify(e, 'storage');
    }
  }

  /** Conditional on the row's ETag (or on its absence): instances spending one mailbox's budget never lose each other's bytes. */
  async writeBudget(mailbox: string, window: BudgetWindow, version: string | undefined): Promise<boolean> {
    await this.ensure();
    const entity: TableEntity<Row> = { partitionKey: hash(mailbox), rowKey: BUDGET_ROW, mailbox, data: JSON.stringify(window) };
    try {
      if (version === undefined) await this.client.createEntity(entity);
      else await this.client.updateEntity(entity, 'Replace', { etag: version });
      return true;
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode;
      if (status === 409 || status === 412) return false;
      throw classify(e, 'storage');
    }
  }

  async list(mailbox: string): Promise<FolderCheckpoint[]> {
    await this.ensure();
    const out: FolderCheckpoint[] = [];
    try {
      for await (const e of this.client.listEntities<Row>({ queryOptions: { filter: `PartitionKey eq '${hash(mailbox)}'` } })) if (e.rowKey !== undefined && !e.rowKey.startsWith(MAP_PREFIX) && !PAIR_ROWS.has(e.rowKey)) out.push(JSON.parse(e.data) as FolderCheckpoint);
    } catch (e) {
      throw classify(e, 'storage');
    }
    return out;
  }
}
