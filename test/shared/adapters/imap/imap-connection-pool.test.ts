import { describe, expect, it } from 'vitest';
import { ImapConnectionPool, type Dialing } from '../../../../shared/adapters/imap/imap-connection-pool.js';
import { mailboxPair } from '../../../../shared/contracts/mailbox-pair.js';
import type { AppendResult, CommandGate, FolderStatus, ImapSite, ListedFolder, MessageMeta, MessageWithSource, SelectedFolder } from '../../../../shared/contracts/imap.js';
import { MigrationError } from '../../../../shared/errors/migration-error.js';

const FOLDER: SelectedFolder = { messages: 0, uidNext: 1, uidValidity: '1', permanentFlags: [] };

/** A connection of any kind, without a server: records its gate and whether it was closed. */
class FakeConnection {
  usable = true;
  inFlight = 0;
  closed = false;
  gate?: CommandGate;
  readonly batchMessages = 1;
  readonly queuedBytes = 0;
  constructor(
    readonly site: ImapSite,
    readonly kind: 'imapflow' | 'raw' | 'appender',
  ) {}
  useGate(gate: CommandGate | undefined): void {
    this.gate = gate;
  }
  close(): Promise<void> {
    this.closed = true;
    this.usable = false;
    return Promise.resolve();
  }
  listFolders(): Promise<ListedFolder[]> {
    return Promise.resolve([{ path: 'INBOX', delimiter: '/', flags: [] }]);
  }
  status(): Promise<FolderStatus> {
    return Promise.resolve(FOLDER);
  }
  statusMany(): Promise<Map<string, FolderStatus>> {
    return Promise.resolve(new Map());
  }
  select(): Promise<SelectedFolder> {
    return Promise.resolve(FOLDER);
  }
  selectFolder(): Promise<SelectedFolder> {
    return Promise.resolve(FOLDER);
  }
  createFolder(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
  fetchMeta(): Promise<MessageMeta[]> {
    return Promise.resolve([]);
  }
  fetchHeaders(): Promise<(MessageMeta & { headers: Buffer })[]> {
    return Promise.resolve([]);
  }
  fetchFlags(): Promise<{ uid: number; flags: string[] }[]> {
    return Promise.resolve([]);
  }
  async *fetchSources(): AsyncGenerator<MessageWithSource> {}
  append(): Promise<AppendResult> {
    return Promise.resolve({});
  }
  flushFor(): void {}
  setFlags(): Promise<void> {
    return Promise.resolve();
  }
  deleteMessages(): Promise<'deleted'> {
    return Promise.resolve('deleted');
  }
  deleteFolder(): Promise<void> {
    return Promise.resolve();
  }
}

/** Counts logins by kind; `raw: false` plays a server that refuses raw connections (STARTTLS, no SASL-IR). */
class FakeDialer implements Dialing {
  readonly logins: string[] = [];
  readonly opened: FakeConnection[] = [];
  readonly carriedOn: FakeConnection[] = [];
  constructor(private readonly opts: { raw: boolean; pipelining: boolean }) {}
  private make(site: ImapSite, kind: FakeConnection['kind'], mailbox: string): FakeConnection {
    this.logins.push(`${kind} ${site} ${mailbox}`);
    const c = new FakeConnection(site, kind);
    this.opened.push(c);
    return c;
  }
  open(site: ImapSite, mailbox: string): Promise<{ session: FakeConnection; expiresOnMs: number }> {
    return Promise.resolve({ session: this.make(site, 'imapflow', mailbox), expiresOnMs: Date.now() + 3_600_000 });
  }
  allowsRaw(): boolean {
    return this.opts.raw;
  }
  openRaw(site: ImapSite, mailbox: string): Promise<{ item: FakeConnection; expiresOnMs: number }> {
    return Promise.resolve({ item: this.make(site, 'raw', mailbox), expiresOnMs: Date.now() + 3_600_000 });
  }
  allowsPipelining(): boolean {
    return this.opts.pipelining;
  }
  appenderOver(prepared: FakeConnection): FakeConnection {
    this.carriedOn.push(prepared);
    prepared.usable = false; // detached: the appender owns the connection now
    return new FakeConnection('destination', 'appender');
  }
  openAppender(mailbox: string): Promise<{ item: FakeConnection; expiresOnMs: number }> {
    return Promise.resolve({ item: this.make('destination', 'appender', mailbox), expiresOnMs: Date.now() + 3_600_000 });
  }
}

const gates = (): CommandGate => ({ wait: () => Promise.resolve(), pause: () => undefined });
const A = 'Ann@Contoso.example';

describe('ImapConnectionPool: which connection serves which call, and how often a mailbox logs in', () => {
  it('one raw login serves listing a mailbox and then copying its folders, whatever the address case', async () => {
    const dialer = new FakeDialer({ raw: true, pipelining: true });
    const pool = new ImapConnectionPool(dialer, gates);
    await pool.withFolders('source', A, (s) => s.listFolders());
    const lease = await pool.acquireFolders('source', A.toLowerCase());
    lease.release();
    await pool.withFolders('source', A, (s) => s.status('INBOX'));
    expect(dialer.logins).toEqual([`raw source ${A}`]);
    await pool.closeAll();
  });

  it('the raw connection that prepared the destination carries on as its APPEND pipeline: no second login', async () => {
    const dialer = new FakeDialer({ raw: true, pipelining: true });
    const pool = new ImapConnectionPool(dialer, gates);
    await pool.withFolders('destination', A, (d) => d.createFolder('Projects'));
    const appender = await pool.acquireAppender(A);
    expect(appender).toBeDefined();
    expect(dialer.carriedOn).toHaveLength(1);
    pool.releaseAppender(A, appender!);
    // Given back, it is lent again rather than a new pipeline opened.
    const again = await pool.acquireAppender(A);
    expect(again?.item).toBe(appender!.item);
    expect(dialer.logins).toEqual([`raw destination ${A}`]);
    await pool.closeAll();
  });

  it('connections opened ahead are the ones the folder workers get: no worker logs in again, and one never taken is closed with the mailbox', async () => {
    const dialer = new FakeDialer({ raw: true, pipelining: true });
    const pool = new ImapConnectionPool(dialer, gates);
    const pair = mailboxPair({ sourceEmail: A, destinationEmail: 'dest@fabrikam.example' });
    pool.openAhead(pair, { source: 2, destination: 1 });
    // Asked for while still opening: each caller waits for one of those instead of dialing.
    const [s1, s2] = await Promise.all([pool.acquireFolders('source', A), pool.acquireFolders('source', A)]);
    const appender = await pool.acquireAppender('dest@fabrikam.example');
    expect(dialer.logins).toEqual([`raw source ${A}`, `raw source ${A}`, 'appender destination dest@fabrikam.example']);
    expect(s1.session).not.toBe(s2.session);
    expect(appender?.item).toBe(dialer.opened[2]);
    s1.release();
    s2.release();
    pool.releaseAppender('dest@fabrikam.example', appender!);
    pool.openAhead(pair, { source: 0, destination: 1 });
    await pool.closeMailbox(pair);
    expect(dialer.opened.map((c) => c.closed)).toEqual([true, true, true, true]);
  });

  it('a range waits for an APPEND pipeline said to come back soon rather than log in another; one that comes back broken lets it open its own', async () => {
    const dialer = new FakeDialer({ raw: true, pipelining: true });
    const pool = new ImapConnectionPool(dialer, gates);
    const D = 'dest@fabrikam.example';
    const first = (await pool.acquireAppender(D))!;
    const other = (await pool.acquireAppender(D))!;
    expect(dialer.logins).toHaveLength(2);
    pool.appenderReturning(D, first.item);
    let got: unknown;
    const waiting = pool.acquireAppender(D).then((l) => (got = l));
    // A second taker finds nothing more announced: it opens its own at once.
    const third = (await pool.acquireAppender(D))!;
    expect(dialer.logins).toHaveLength(3);
    await Promise.resolve();
    expect(got).toBeUndefined();
    pool.releaseAppender(D, first);
    await waiting;
    expect((got as { item: unknown }).item).toBe(first.item);
    expect(dialer.logins).toHaveLength(3);
    // Announced, then given back broken: the one waiting opens its own; the broken one is closed.
    pool.appenderReturning(D, other.item);
    const next = pool.acquireAppender(D);
    pool.releaseAppender(D, other, true);
    const opened = (await next)!;
    expect(opened.item).not.toBe(other.item);
    expect(dialer.logins).toHaveLength(4);
    expect((other.item as unknown as FakeConnection).closed).toBe(true);
    for (const l of [third, opened, got as typeof first]) pool.releaseAppender(D, l);
    await pool.closeAll();
  });

  it('where the server refuses raw connections, folder calls and full calls share the same imapflow sessions', async () => {
    const dialer = new FakeDialer({ raw: false, pipelining: false });
    const pool = new ImapConnectionPool(dialer, gates);
    await pool.withFolders('source', A, (s) => s.listFolders());
    await pool.with('source', A, (s) => s.fetchFlags('1:*'));
    expect(await pool.acquireAppender(A)).toBeUndefined();
    expect(dialer.logins).toEqual([`imapflow source ${A}`]);
    await pool.closeAll();
  });

  it('a connection whose work threw is closed, not kept, and the error is classified with its side', async () => {
    const dialer = new FakeDialer({ raw: true, pipelining: true });
    const pool = new ImapConnectionPool(dialer, gates);
    const err = await pool.withFolders('destination', A, () => Promise.reject(new Error('socket hang up'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).message).toMatch(/^destination IMAP: /);
    expect((err as MigrationError).errorClass).toBe('transient');
    expect(dialer.opened[0]!.closed).toBe(true);
    await pool.withFolders('destination', A, (d) => d.listFolders());
    expect(dialer.logins).toHaveLength(2);
    await pool.closeAll();
  });

  it("a mailbox's connections on one side share one throttle gate; the other side and other mailboxes have their own", async () => {
    const dialer = new FakeDialer({ raw: true, pipelining: true });
    const pool = new ImapConnectionPool(dialer, gates);
    const raw = await pool.acquireFolders('source', A);
    const flow = await pool.acquire('source', A);
    const other = await pool.acquireFolders('source', 'bob@contoso.example');
    const dest = await pool.acquireFolders('destination', A);
    const [r, f, o, d] = dialer.opened;
    expect(r!.gate).toBeDefined();
    expect(f!.gate).toBe(r!.gate);
    expect(o!.gate).not.toBe(r!.gate);
    expect(d!.gate).not.toBe(r!.gate);
    raw.release();
    pool.release(flow);
    other.release();
    dest.release();
    await pool.closeAll();
  });

  it('closeMailbox closes the idle connections of that mailbox pair only; after closeAll nothing given back is kept', async () => {
    const dialer = new FakeDialer({ raw: true, pipelining: true });
    const pool = new ImapConnectionPool(dialer, gates);
    await pool.withFolders('source', A, (s) => s.listFolders());
    await pool.with('destination', A, (d) => d.listFolders());
    await pool.withFolders('source', 'bob@contoso.example', (s) => s.listFolders());
    await pool.closeMailbox(mailboxPair({ sourceEmail: A.toUpperCase(), destinationEmail: A }));
    expect(dialer.opened.map((c) => c.closed)).toEqual([true, true, false]);
    const late = await pool.acquire('source', 'carol@contoso.example');
    await pool.closeAll();
    expect(dialer.opened[2]!.closed).toBe(true);
    pool.release(late);
    expect(dialer.opened[3]!.closed).toBe(true);
  });
});
