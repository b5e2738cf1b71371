import type { SecretStore } from '../../contracts/secret-store.js';
import type { Logger } from '../../engine/engine-deps.js';
import type { Notification } from '../../domain/notifications/notification.js';

/** Sends notifications; never rejects — a lost notification must never fail a mailbox or a batch. */
export interface Notifier {
  notify(n: Notification): Promise<void>;
}

export const noNotifier: Notifier = { notify: () => Promise.resolve() };

const TIMEOUT_MS = 10_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A generic JSON POST to the URL held in a secret (NOTIFY_WEBHOOK_SECRET_NAME): a webhook URL
 * carries its own credential (Slack's and Teams' do), so it is read like one, registered for
 * redaction, only sent over https (plain http only to this machine, for local listeners), and never
 * logged: a failure is logged by the secret's name, an HTTP status or a socket error code.
 */
export class WebhookNotifier implements Notifier {
  private url?: Promise<URL | undefined>;

  constructor(
    private readonly secretName: string,
    private readonly secrets: SecretStore,
    private readonly log: Logger,
    private readonly timeoutMs = TIMEOUT_MS,
  ) {}

  async notify(n: Notification): Promise<void> {
    try {
      this.url ??= this.readUrl();
      const url = await this.url;
      if (!url) return;
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(n), redirect: 'error', signal: AbortSignal.timeout(this.timeoutMs) });
      // The body is drained so the socket is freed; its text may echo the URL's token, so it is not logged.
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) this.warn(`HTTP ${res.status}`);
    } catch (e) {
      this.warn(describe(e, this.timeoutMs));
    }
  }

  private async readUrl(): Promise<URL | undefined> {
    let text: string;
    try {
      text = await this.secrets.getSecret(this.secretName);
    } catch (e) {
      // Asked again at the next notification: the secret may be created while the batch runs.
      this.url = undefined;
      this.warn(`the secret could not be read (${e instanceof Error && 'code' in e ? String(e.code) : 'error'})`);
      return undefined;
    }
    let url: URL;
    try {
      url = new URL(text.trim());
    } catch {
      this.warn('the secret does not hold a URL');
      return undefined;
    }
    if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname))) return url;
    this.warn('the URL must use https (http only to localhost)');
    return undefined;
  }

  private warn(why: string): void {
    this.log.warn(`notification webhook (secret "${this.secretName}") not delivered: ${why}; the migration goes on`);
  }
}

/** A socket error's code or the timeout, never the message (undici's messages may quote the host and path). */
function describe(e: unknown, timeoutMs: number): string {
  if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) return `no answer within ${timeoutMs / 1000} s`;
  const cause = e instanceof Error ? (e.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  return e instanceof Error ? e.name : 'error';
}

export function createNotifier(secretName: string | undefined, secrets: SecretStore, log: Logger): Notifier {
  return secretName ? new WebhookNotifier(secretName, secrets, log) : noNotifier;
}
