import { describe, expect, it } from 'vitest';
import { WebhookNotifier, createNotifier, noNotifier } from '../../../../shared/adapters/notify/webhook-notifier.js';
import type { Notification } from '../../../../shared/domain/notifications/notification.js';
import { MigrationError } from '../../../../shared/errors/migration-error.js';

const n: Notification = { source: 'mailmig', event: 'pass-ended', text: 't', driver: 'cli', batchId: 'b', pass: null, at: '2026-01-01T00:00:00.000Z' };

function notifier(secret: string | Error): { notifier: WebhookNotifier; logged: string[] } {
  const logged: string[] = [];
  const secrets = { getSecret: () => (secret instanceof Error ? Promise.reject(secret) : Promise.resolve(secret)) };
  return { notifier: new WebhookNotifier('hook-url', secrets, { info: () => undefined, warn: (m) => logged.push(m) }, 2000), logged };
}

describe('WebhookNotifier: a notification that cannot be delivered is logged without the URL and never throws', () => {
  // Port 2: nothing listens there, and fetch does not block it (it blocks port 1).
  it('a refused connection: the socket code is logged, not the URL or its token', async () => {
    const { notifier: w, logged } = notifier('http://127.0.0.1:2/hooks/SECRET-TOKEN-123');
    await expect(w.notify(n)).resolves.toBeUndefined();
    expect(logged).toEqual(['notification webhook (secret "hook-url") not delivered: ECONNREFUSED; the migration goes on']);
  });

  it('plain http to another host is refused before anything is sent (the URL carries a credential)', async () => {
    const { notifier: w, logged } = notifier('http://hooks.example.com/services/SECRET-TOKEN-123');
    await w.notify(n);
    expect(logged.join()).toMatch(/must use https/);
    expect(logged.join()).not.toContain('SECRET-TOKEN');
  });

  it('a secret that is not a URL, or cannot be read, is logged by its name', async () => {
    const a = notifier('not a url SECRET-TOKEN-123');
    await a.notifier.notify(n);
    expect(a.logged).toEqual(['notification webhook (secret "hook-url") not delivered: the secret does not hold a URL; the migration goes on']);
    const b = notifier(new MigrationError('SECRET_NOT_FOUND', 'permanent', 'secret "hook-url" is not in LOCAL_SECRETS_FILE'));
    await b.notifier.notify(n);
    expect(b.logged.join()).toContain('could not be read (SECRET_NOT_FOUND)');
  });

  it('no secret name set: nothing is sent', () => {
    expect(createNotifier(undefined, { getSecret: () => Promise.reject(new Error('never')) }, { info: () => undefined, warn: () => undefined })).toBe(noNotifier);
  });
});
