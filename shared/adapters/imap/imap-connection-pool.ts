import type { CommandGate, ImapSite } from '../../contracts/imap.js';
import type { AppendPipeline, DestinationWriter, ImapConnections, Leased } from '../../contracts/imap-ports.js';
import { addressKey, type MailboxPair } from '../../contracts/mailbox-pair.js';
import { classify } from '../../errors/classify.js';
import type { FolderSession } from './folder-session.js';
import { IdlePool, type Poolable } from './idle-pool.js';
import { ReturningAppenders } from './returning-appenders.js';

/** A full connection (an imapflow ImapSession). */
type Session = DestinationWriter & FolderSession & Poolable;
/** A raw folder connection (RawFolderSession). */
type RawFolders = FolderSession & Poolable;
/** An APPEND pipeline (PipelinedAppender). */
type Appender = AppendPipeline & Poolable;

/** What the pool asks of the dialer (dialer.ts; unit tests give a fake). */
export interface Dialing {
  open(site: ImapSite, mailbox: string): Promise<{ session: Session; expiresOnMs: number }>;
  allowsRaw(site: ImapSite): boolean;
  openRaw(site: ImapSite, mailbox: string): Promise<Leased<RawFolders> | undefined>;
  allowsPipelining(mailbox: string): boolean;
  appenderOver(prepared: RawFolders): Appender | undefined;
  /** The folder session an idle appender's connection becomes again; undefined: keep the appender. */
  foldersOver?(appender: Appender): RawFolders | undefined;
  openAppender(mailbox: string): Promise<Leased<Appender> | undefined>;
  roundTripMs?(site: ImapSite): number | undefined;
}

/**
 * The engine's ImapConnections: authenticated connections per (side, mailbox), re-used across
 * ranges and activity calls in one process, of the kind the dialer chose for each server. Three
 * idle pools of one kind: imapflow sessions, raw folder sessions and APPEND pipelines.
 */
export class ImapConnectionPool implements ImapConnections {
  private readonly sessions: IdlePool<Session>;
  private readonly raw: IdlePool<RawFolders>;
  private readonly appenders: IdlePool<Appender>;
  /** Per (side, mailbox): a throttling answer on one connection pauses all of that mailbox's connections. */
  private readonly gates = new Map<string, CommandGate>();
  /** Sessions lent by acquire(), with what release() needs to keep them. */
  private readonly owners = new Map<Session, { key: string; expiresOnMs: number }>();
  /** Appenders lent as the port's AppendPipeline, back to their own lease. */
  private readonly lentAppenders = new Map<AppendPipeline, Leased<Appender>>();
  /** Connections being opened ahead of need (openAhead), per idle-pool key: who needs one waits for it rather than opening another. */
  private readonly aheadRaw = new Ahead<RawFolders>();
  private readonly aheadAppenders = new Ahead<Appender>();
  /** Appenders lent out and to come back soon (appenderReturning): a range that needs one waits for it rather than logging in another. */
  private readonly returning = new ReturningAppenders<Appender>();

  constructor(
    private readonly dialer: Dialing,
    private readonly newGate: () => CommandGate,
    maxIdlePerKey = 4,
  ) {
    this.sessions = new IdlePool(maxIdlePerKey);
    this.raw = new IdlePool(maxIdlePerKey);
    this.appenders = new IdlePool(maxIdlePerKey);
  }

  roundTripMs(site: ImapSite): number | undefined {
    return this.dialer.roundTripMs?.(site);
  }

  async acquire(site: ImapSite, mailbox: string): Promise<Session> {
    const key = keyOf(site, mailbox);
    const idle = this.sessions.take(key);
    if (idle) {
      this.owners.set(idle.item, { key, expiresOnMs: idle.expiresOnMs });
      return idle.item;
    }
    const opened = await this.dialer.open(site, mailbox);
    opened.session.useGate(this.gate(key));
    this.owners.set(opened.session, { key, expiresOnMs: opened.expiresOnMs });
    return opened.session;
  }

  /** Returns a session for re-use; pass broken=true after an error so it is closed instead. */
  release(session: Session, broken = false): void {
    const owner = this.owners.get(session);
    this.owners.delete(session);
    if (!owner) {
      void session.close();
      return;
    }
    this.sessions.put(owner.key, { item: session, expiresOnMs: owner.expiresOnMs }, broken);
  }

  async with<T>(site: ImapSite, mailbox: string, fn: (s: Session) => Promise<T>): Promise<T> {
    const s = await this.acquire(site, mailbox);
    return lend(site, s, (broken) => this.release(s, broken), fn);
  }

  /**
   * A connection for listing, creating and copying folders: a raw one where the server allows it
   * (one login serves the mailbox's preparation and then its copying), else an imapflow session
   * from this pool. Release it with the function returned beside it.
   */
  async acquireFolders(site: ImapSite, mailbox: string): Promise<{ session: FolderSession; release: (broken?: boolean) => void }> {
    const key = keyOf(site, mailbox);
    if (this.dialer.allowsRaw(site)) {
      const lease = this.raw.take(key) ?? (await this.aheadRaw.take(key)) ?? (site === 'destination' ? this.appenderAsFolders(mailbox) : undefined) ?? (await this.dialer.openRaw(site, mailbox));
      if (lease) {
        // The same gate as the mailbox's imapflow sessions on that side: a throttling answer pauses them all.
        lease.item.useGate(this.gate(key));
        return { session: lease.item, release: (broken = false) => this.raw.put(key, lease, broken) };
      }
    }
    const session = await this.acquire(site, mailbox);
    return { session, release: (broken = false) => this.release(session, broken) };
  }

  /**
   * An idle APPEND pipeline of the mailbox, turned back into a folder connection: the STATUS a
   * folder's pass ends with, after its copy, costs a round trip instead of a new login (TCP, TLS,
   * AUTHENTICATE: three or four on a far server), as the pipeline itself began as the connection
   * that listed and created the folders.
   */
  private appenderAsFolders(mailbox: string): Leased<RawFolders> | undefined {
    const key = addressKey(mailbox);
    const idle = this.appenders.take(key);
    if (!idle) return undefined;
    const folders = this.dialer.foldersOver?.(idle.item);
    if (folders) return { item: folders, expiresOnMs: idle.expiresOnMs };
    this.appenders.put(key, idle);
    return undefined;
  }

  async withFolders<T>(site: ImapSite, mailbox: string, fn: (s: FolderSession) => Promise<T>): Promise<T> {
    const { session, release } = await this.acquireFolders(site, mailbox);
    return lend(site, session, release, fn);
  }

  /**
   * A pipelining APPEND connection to a destination mailbox, or undefined when the server cannot
   * pipeline (no LITERAL+/UIDPLUS, STARTTLS): the caller then appends through imapflow.
   */
  async acquireAppender(mailbox: string): Promise<Leased<AppendPipeline> | undefined> {
    const lease = await this.appender(mailbox);
    if (lease) this.lentAppenders.set(lease.item, lease);
    return lease;
  }

  private async appender(mailbox: string): Promise<Leased<Appender> | undefined> {
    if (!this.dialer.allowsPipelining(mailbox)) return undefined;
    const idle = this.appenders.take(addressKey(mailbox));
    if (idle) return idle;
    // The connection that listed and created the destination's folders carries on as the pipeline:
    // logged in already, it goes before one still logging in (openAhead), which on a far server
    // is round trips away while the first bodies are already arriving.
    const prepared = this.raw.take(keyOf('destination', mailbox));
    const over = prepared ? this.appenderOver(mailbox, prepared) : undefined;
    if (over) return over;
    const ahead = await this.aheadAppenders.take(addressKey(mailbox));
    if (ahead) return ahead;
    const back = await this.returning.take(addressKey(mailbox));
    if (back) return back;
    const late = await this.aheadRaw.take(keyOf('destination', mailbox));
    return (late ? this.appenderOver(mailbox, late) : undefined) ?? this.dialer.openAppender(mailbox);
  }

  /** A raw destination connection carrying on as an APPEND pipeline; put back for folder work when it cannot. */
  private appenderOver(mailbox: string, raw: Leased<RawFolders>): Leased<Appender> | undefined {
    const over = this.dialer.appenderOver(raw.item);
    if (over) return { item: over, expiresOnMs: raw.expiresOnMs };
    this.raw.put(keyOf('destination', mailbox), raw);
    return undefined;
  }

  /**
   * Starts logging in `source` raw folder connections and `destination` APPEND pipelines of a
   * mailbox pair now, before its folder workers ask for them: on a far server a login is a chain
   * of round trips (TCP, TLS, AUTHENTICATE) that then overlaps the source's first FETCHes instead
   * of following them. A connection nobody took by the time it is ready waits in the idle pool;
   * one that fails to open is simply not there (who needs it opens its own).
   */
  openAhead(pair: MailboxPair, count: { source: number; destination: number; destinationFolders?: number }): void {
    const raw = (site: ImapSite, mailbox: string, n: number): void => {
      if (!this.dialer.allowsRaw(site)) return;
      const key = keyOf(site, mailbox);
      for (let i = 0; i < n; i++) this.aheadRaw.open(key, () => this.dialer.openRaw(site, mailbox), (lease) => this.raw.put(key, lease));
    };
    raw('source', pair.sourceEmail, count.source);
    raw('destination', pair.destinationEmail, count.destinationFolders ?? 0);
    if (this.dialer.allowsPipelining(pair.destinationEmail)) {
      const key = addressKey(pair.destinationEmail);
      for (let i = 0; i < count.destination; i++) this.aheadAppenders.open(key, () => this.dialer.openAppender(pair.destinationEmail), (lease) => this.appenders.put(key, lease));
    }
  }

  /**
   * `appender`, lent, will be given back soon: its holder has read every body it appends and awaits
   * only the last answers. Until then a range of the same mailbox that finds no idle pipeline
   * waits for it rather than logging in another (on a far server, the next folder's first range).
   */
  appenderReturning(mailbox: string, appender: AppendPipeline): void {
    const own = this.lentAppenders.get(appender);
    if (own) this.returning.announce(addressKey(mailbox), own.item);
  }

  releaseAppender(mailbox: string, lease: Leased<AppendPipeline>, broken = false): void {
    const own = this.lentAppenders.get(lease.item);
    this.lentAppenders.delete(lease.item);
    if (!own) return;
    const key = addressKey(mailbox);
    // A range of the mailbox waits for one (appenderReturning): handed on, not pooled.
    if (!this.returning.back(key, own, broken)) this.appenders.put(key, own, broken);
  }

  private gate(key: string): CommandGate {
    let gate = this.gates.get(key);
    if (!gate) this.gates.set(key, (gate = this.newGate()));
    return gate;
  }

  /**
   * Closes the idle connections of a mailbox that is done. Servers cap connections per user and
   * per process (Exchange about 20 per mailbox, Dovecot's process limits): a batch must not keep
   * finished mailboxes' connections open until their idle timers run out.
   */
  async closeMailbox(pair: MailboxPair): Promise<void> {
    const source = keyOf('source', pair.sourceEmail);
    const destination = keyOf('destination', pair.destinationEmail);
    // Opened ahead and never taken: in the idle pools once ready, closed with them below.
    await Promise.all([this.aheadRaw.settled(source), this.aheadAppenders.settled(addressKey(pair.destinationEmail))]);
    await Promise.all([
      this.sessions.closeKey(source),
      this.sessions.closeKey(destination),
      this.appenders.closeKey(addressKey(pair.destinationEmail)),
      this.raw.closeKey(source),
      this.raw.closeKey(destination),
    ]);
  }

  async closeAll(): Promise<void> {
    await Promise.all([this.appenders.closeAll(), this.raw.closeAll(), this.sessions.closeAll()]);
  }
}

/**
 * Opens under way per key. A taker gets the oldest one still opening; one ready before anybody
 * took it goes to `ready` (the idle pool). A failed open gives undefined.
 */
class Ahead<T> {
  private readonly opening = new Map<string, Promise<Leased<T> | undefined>[]>();

  open(key: string, open: () => Promise<Leased<T> | undefined>, ready: (lease: Leased<T>) => void): void {
    const p = open().catch(() => undefined);
    const list = this.opening.get(key) ?? [];
    list.push(p);
    this.opening.set(key, list);
    void p.then((lease) => {
      // Still listed: nobody took it while it opened.
      if (this.remove(key, p) && lease) ready(lease);
    });
  }

  /** The oldest open under way for `key`, awaited; undefined when none is (or it failed). */
  async take(key: string): Promise<Leased<T> | undefined> {
    const p = this.opening.get(key)?.[0];
    if (!p) return undefined;
    this.remove(key, p);
    return p;
  }

  /** Every open under way for `key` has finished. */
  async settled(key: string): Promise<void> {
    await Promise.all([...(this.opening.get(key) ?? [])]);
  }

  private remove(key: string, p: Promise<Leased<T> | undefined>): boolean {
    const list = this.opening.get(key) ?? [];
    const rest = list.filter((x) => x !== p);
    if (rest.length === list.length) return false;
    if (rest.length === 0) this.opening.delete(key);
    else this.opening.set(key, rest);
    return true;
  }
}

function keyOf(site: ImapSite, mailbox: string): string {
  return `${site}\n${addressKey(mailbox)}`;
}

/**
 * Runs `fn` on a lent session and gives it back: broken when `fn` threw. What `fn` threw unclassified
 * happened while using that side's connection: it is classified with that site here, not later
 * with a guessed one.
 */
async function lend<S, T>(site: ImapSite, session: S, release: (broken: boolean) => void, fn: (s: S) => Promise<T>): Promise<T> {
  try {
    const r = await fn(session);
    release(false);
    return r;
  } catch (e) {
    release(true);
    throw classify(e, site);
  }
}
