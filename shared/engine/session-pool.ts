import type { ImapSession } from '../adapters/imap/imap-session.js';
import type { ImapSite } from '../contracts/imap.js';
import type { ImapConnections } from '../contracts/imap-ports.js';
import type { ImapConnector, OpenedSession } from './imap-connector.js';
import { ThrottleGate } from './retry.js';
import { PipelinedAppender } from '../adapters/imap/pipelined-appender.js';
import { RawFolderSession } from '../adapters/imap/raw-folder-session.js';
import type { FolderSession } from '../adapters/imap/folder-session.js';
import { IDLE_CLOSE_MS, IdleRaw, TOKEN_MARGIN_MS, type RawLease } from './idle-raw.js';

interface Idle {
  opened: OpenedSession;
  timer: NodeJS.Timeout;
}

/**
 * Re-uses authenticated sessions per (side, mailbox) across ranges and activity calls in one
 * process: a TLS handshake plus XOAUTH2 costs several round trips, more than a small range.
 */
export class SessionPool implements ImapConnections {
  private readonly idle = new Map<string, Idle[]>();
  /** Per (side, mailbox): a throttling answer on one connection pauses all of that mailbox's connections. */
  private readonly gates = new Map<string, ThrottleGate>();
  private closed = false;

  constructor(private readonly connector: ImapConnector, private readonly maxIdlePerKey = 4) {}

  async acquire(site: ImapSite, mailbox: string): Promise<ImapSession> {
    const key = `${site}\n${mailbox.toLowerCase()}`;
    const list = this.idle.get(key) ?? [];
    while (list.length > 0) {
      const { opened, timer } = list.pop()!;
      clearTimeout(timer);
      if (opened.session.usable && opened.expiresOnMs - Date.now() > TOKEN_MARGIN_MS) {
        this.owners.set(opened.session, { key, opened });
        return opened.session;
      }
      void opened.session.close();
    }
    const opened = await this.connector.open(site, mailbox);
    opened.session.useGate(this.gate(key));
    this.owners.set(opened.session, { key, opened });
    return opened.session;
  }

  private readonly owners = new Map<ImapSession, { key: string; opened: OpenedSession }>();

  /** Returns a session for re-use; pass broken=true after an error so it is closed instead. */
  release(session: ImapSession, broken = false): void {
    const owner = this.owners.get(session);
    this.owners.delete(session);
    if (!owner || broken || this.closed || !session.usable) {
      void session.close();
      return;
    }
    const list = this.idle.get(owner.key) ?? [];
    if (list.length >= this.maxIdlePerKey) {
      void session.close();
      return;
    }
    const timer = setTimeout(() => {
      const l = this.idle.get(owner.key);
      const i = l?.findIndex((x) => x.opened.session === session) ?? -1;
      if (l && i >= 0) l.splice(i, 1);
      void session.close();
    }, IDLE_CLOSE_MS);
    timer.unref();
    list.push({ opened: owner.opened, timer });
    this.idle.set(owner.key, list);
  }

  async with<T>(site: ImapSite, mailbox: string, fn: (s: ImapSession) => Promise<T>): Promise<T> {
    const s = await this.acquire(site, mailbox);
    return lend(s, (broken) => this.release(s, broken), fn);
  }

  /** Raw sessions per side (raw-folder-session.ts), and the mailboxes whose server refused one. */
  private readonly raw: Record<ImapSite, IdleRaw<RawFolderSession>> = { source: new IdleRaw(), destination: new IdleRaw() };
  private readonly noRaw = new Set<ImapSite>();

  /**
   * A connection for listing, creating and copying folders: a raw one where the server allows it
   * (one login serves the mailbox's preparation and then its copying), else an imapflow session
   * from this pool. Release it with the function returned beside it.
   */
  async acquireFolders(site: ImapSite, mailbox: string): Promise<{ session: FolderSession; release: (broken?: boolean) => void }> {
    const key = `${site}\n${mailbox.toLowerCase()}`;
    // A server that refuses raw connections refuses them for every mailbox: asked once per side.
    if (!this.noRaw.has(site)) {
      let lease = this.raw[site].take(key);
      if (!lease) {
        const { auth, expiresOnMs } = await this.connector.auth(site, mailbox);
        const opened = await RawFolderSession.open(this.connector.side(site), auth, site, { responseTimeoutMs: this.connector.settings.imapResponseTimeoutMs });
        if (opened) lease = { item: opened, expiresOnMs };
        else this.noRaw.add(site);
      }
      if (lease) {
        const l = lease;
        // The same gate as the mailbox's imapflow sessions on that side: a throttling answer pauses them all.
        l.item.useGate(this.gate(key));
        return { session: l.item, release: (broken = false) => this.raw[site].put(key, l, broken || this.closed, this.maxIdlePerKey) };
      }
    }
    const session = await this.acquire(site, mailbox);
    return { session, release: (broken = false) => this.release(session, broken) };
  }

  async withFolders<T>(site: ImapSite, mailbox: string, fn: (s: FolderSession) => Promise<T>): Promise<T> {
    const { session, release } = await this.acquireFolders(site, mailbox);
    return lend(session, release, fn);
  }

  private readonly appenders = new IdleRaw<PipelinedAppender>();
  private readonly noPipelining = new Set<string>();

  /**
   * A pipelining APPEND connection to a destination mailbox, or undefined when the server cannot
   * pipeline (no LITERAL+/UIDPLUS, STARTTLS): the caller then appends through imapflow.
   */
  async acquireAppender(mailbox: string): Promise<RawLease<PipelinedAppender> | undefined> {
    const key = mailbox.toLowerCase();
    if (this.noPipelining.has(key) || this.connector.settings.appendPipelineDepth === 0) return undefined;
    const idle = this.appenders.take(key);
    if (idle) return idle;
    // The connection that listed and created the destination's folders carries on as the pipeline.
    const prepared = this.raw.destination.take(`destination\n${key}`);
    if (prepared && PipelinedAppender.canPipeline(prepared.item.serverCapabilities)) {
      return { item: PipelinedAppender.over(prepared.item.detach(), prepared.item.serverCapabilities, { batchMessages: this.connector.settings.appendBatchMessages }), expiresOnMs: prepared.expiresOnMs };
    }
    if (prepared) this.raw.destination.put(`destination\n${key}`, prepared, false, this.maxIdlePerKey);
    const { auth, expiresOnMs } = await this.connector.auth('destination', mailbox);
    const appender = await PipelinedAppender.open(this.connector.side('destination'), auth, 'destination', { batchMessages: this.connector.settings.appendBatchMessages, responseTimeoutMs: this.connector.settings.imapResponseTimeoutMs });
    if (!appender) {
      this.noPipelining.add(key);
      return undefined;
    }
    return { item: appender, expiresOnMs };
  }

  releaseAppender(mailbox: string, a: RawLease<PipelinedAppender>, broken = false): void {
    this.appenders.put(mailbox.toLowerCase(), a, broken || this.closed, this.maxIdlePerKey);
  }

  private gate(key: string): ThrottleGate {
    let gate = this.gates.get(key);
    if (!gate) this.gates.set(key, (gate = new ThrottleGate()));
    return gate;
  }

  /**
   * Closes the idle connections of a mailbox that is done. Servers cap connections per user and
   * per process (Exchange about 20 per mailbox, Dovecot's process limits): a batch must not keep
   * finished mailboxes' connections open until their idle timers run out.
   */
  async closeMailbox(sourceEmail: string, destinationEmail: string): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const key of [`source\n${sourceEmail.toLowerCase()}`, `destination\n${destinationEmail.toLowerCase()}`]) {
      for (const { opened, timer } of this.idle.get(key) ?? []) {
        clearTimeout(timer);
        closing.push(opened.session.close());
      }
      this.idle.delete(key);
    }
    closing.push(...this.appenders.closeKey(destinationEmail.toLowerCase()));
    closing.push(...this.raw.source.closeKey(`source\n${sourceEmail.toLowerCase()}`), ...this.raw.destination.closeKey(`destination\n${destinationEmail.toLowerCase()}`));
    await Promise.all(closing);
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.appenders.closeAll(), ...this.raw.source.closeAll(), ...this.raw.destination.closeAll()]);
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    await Promise.all(all.map(({ opened, timer }) => (clearTimeout(timer), opened.session.close())));
  }
}

/** Runs `fn` on a lent session and gives it back: broken when `fn` threw. */
async function lend<S, T>(session: S, release: (broken: boolean) => void, fn: (s: S) => Promise<T>): Promise<T> {
  try {
    const r = await fn(session);
    release(false);
    return r;
  } catch (e) {
    release(true);
    throw e;
  }
}
