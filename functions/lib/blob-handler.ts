import type { InvocationContext } from '@azure/functions';
import { batchIdForBlob } from '../../shared/engine/batch-ids.js';
import type { HttpDeps } from './http-handlers.js';
import { startBatch, type StartOutcome } from './start-batch.js';

/** The blob trigger needs what the HTTP triggers need (one hostDeps serves both). */
export type BlobDeps = HttpDeps;

export const INCOMING_PREFIX = 'incoming/';
const MAX_BLOB_NAME = 1024;

/**
 * Where the errors file of a rejected CSV goes: beside it, but never through '..' segments
 * (HTTP clients normalise them, so the write could land elsewhere in the container), never with
 * control characters, and within the 1,024-character blob name limit.
 */
export function errorsBlobName(blobName: string): string {
  let name = blobName.replace(/[\u0000-\u001f\u007f]/g, '_').split('/').map((seg) => (seg === '..' || seg === '.' ? '_' : seg)).join('/');
  const suffix = '.errors.json';
  if (name.length + suffix.length > MAX_BLOB_NAME) name = name.slice(0, MAX_BLOB_NAME - suffix.length);
  return `${name}${suffix}`;
}

/**
 * A CSV created under migrations/incoming/: validated whole; if invalid, `<name>.errors.json`
 * is written beside it and nothing starts; else one batch starts under an id derived from the
 * blob's name and content (duplicate events start nothing).
 */
export function blobHandler(deps: BlobDeps) {
  return async (blob: unknown, context: InvocationContext): Promise<StartOutcome | { kind: 'ignored'; reason: string }> => {
    const name = String(context.triggerMetadata?.name ?? '');
    if (!/\.csv$/i.test(name)) return { kind: 'ignored', reason: 'not a .csv blob' };
    const content = Buffer.isBuffer(blob) ? blob : typeof blob === 'string' ? Buffer.from(blob, 'utf8') : blob instanceof ArrayBuffer ? Buffer.from(new Uint8Array(blob)) : Buffer.alloc(0);
    const settings = deps.settings();
    const blobs = deps.blobs();
    const blobName = `${INCOMING_PREFIX}${name}`;
    const batchId = batchIdForBlob(settings.migrationsContainer, blobName, content);
    const outcome = await startBatch({ client: deps.client(context), blobs, settings, batchId, csv: content, csvRef: { container: settings.migrationsContainer, blobName }, upload: false, now: deps.now?.() ?? new Date() });
    if (outcome.kind === 'invalid') {
      const body = { blob: blobName, error: 'the CSV is invalid; nothing was started', problems: outcome.problems };
      await blobs.put(settings.migrationsContainer, errorsBlobName(blobName), JSON.stringify(body, null, 2), 'application/json');
      context.warn(`${blobName}: ${outcome.problems.length} problem(s); wrote ${errorsBlobName(blobName)}`);
    } else context.log(`${blobName}: ${outcome.kind} ${outcome.batchId}`);
    return outcome;
  };
}
