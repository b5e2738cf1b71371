import { HttpRequest } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import type { BlobStore } from '../../../shared/adapters/blob/blob-store.js';
import type { Settings } from '../../../shared/config/settings.js';
import { reportHandler, type HttpDeps } from '../../../functions/lib/http-handlers.js';

const ID = `b-${'a'.repeat(32)}`;
const asked: string[] = [];
const blobs = { get: (_c: string, name: string) => (asked.push(name), Promise.resolve(Buffer.from('report'))) } as unknown as BlobStore;
const deps: HttpDeps = {
  client: () => { throw new Error('not used'); },
  blobs: () => blobs,
  settings: () => ({ reportsContainer: 'reports' }) as Settings,
};
const get = (format: string) => reportHandler(deps)(new HttpRequest({ method: 'GET', url: `http://localhost/api/migrations/${ID}/report?format=${encodeURIComponent(format)}`, params: { id: ID } }));

describe('GET /api/migrations/{id}/report?format=', () => {
  it('json, csv and html are served with their content types', async () => {
    expect((await get('json')).headers).toMatchObject({ 'content-type': 'application/json' });
    expect((await get('csv')).headers).toMatchObject({ 'content-type': 'text/csv; charset=utf-8' });
    expect((await get('html')).headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8' });
  });

  it("the names of Object.prototype's members (constructor, toString, __proto__) are a 400, and no blob is asked for", async () => {
    asked.length = 0;
    for (const f of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) expect((await get(f)).status, f).toBe(400);
    expect(asked).toEqual([]);
  });
});
