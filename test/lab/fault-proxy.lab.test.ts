import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeMessage } from './corpus.js';
import { FaultProxy, throttledAnswer } from './fault-proxy.js';
import { ImapStreamSplitter, parseCommandLine, saslUser } from './fault-proxy-stream.js';
import { withImap } from './imap.js';
import { getLab, type LabInfo } from './lab-info.js';
import { addMailbox, uniqueAddress } from './mailboxes.js';
import { snapshotMailbox } from './snapshot.js';

let lab: LabInfo;
let proxy: FaultProxy | undefined;

/** The lab as seen through the proxy: the destination's implicit-TLS port is the proxy's. */
function throughProxy(p: FaultProxy): LabInfo {
  return { ...lab, imap: { ...lab.imap, destination: { ...lab.imap.destination, tlsPort: p.port } } };
}

const message = (bytes: number, seed: string): Buffer =>
  makeMessage({ subject: `proxy ${seed}`, from: 'a@contoso.example', to: 'b@contoso.example', date: new Date(Date.UTC(2024, 1, 1)), bodyBytes: bytes, seed });

describe('fault proxy: IMAP stream parsing', () => {
  it('splits lines and literals of every kind, across chunk boundaries', () => {
    const s = new ImapStreamSplitter();
    const wire = Buffer.from('A1 APPEND INBOX {5}\r\nhello\r\nA2 APPEND INBOX (\\Seen) {3+}\r\nabc\r\nA3 NOOP\r\n');
    const segs = [...wire].flatMap((b) => s.push(Buffer.from([b])));
    const lines = segs.filter((x) => x.kind === 'line').map((x) => (x.kind === 'line' ? `${x.first ? '>' : '+'}${x.text}` : ''));
    expect(lines).toEqual(['>A1 APPEND INBOX {5}', '+', '>A2 APPEND INBOX (\\Seen) {3+}', '+', '>A3 NOOP']);
    expect(Buffer.concat(segs.filter((x) => x.kind === 'literal').map((x) => x.data)).toString()).toBe('helloabc');
  });

  it('reads tags, two-word UID commands and the user of a SASL initial response', () => {
    expect(parseCommandLine('7 UID FETCH 1:5 (BODY.PEEK[])')).toEqual({ tag: '7', name: 'UID FETCH', args: '1:5 (BODY.PEEK[])' });
    const ir = Buffer.from('user=a@b.example\x01auth=Bearer x\x01\x01').toString('base64');
    expect(saslUser('XOAUTH2', ir)).toBe('a@b.example');
    expect(saslUser('PLAIN', Buffer.from('\0c@d.example\0pw').toString('base64'))).toBe('c@d.example');
  });
});

describe('fault proxy in front of the lab destination', () => {
  beforeAll(() => {
    lab = getLab();
  });
  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });

  it('relays a session unchanged and counts its connections and commands per mailbox', async () => {
    const address = uniqueAddress('proxy-relay');
    await addMailbox(lab, 'destination', address);
    proxy = await FaultProxy.forLab(lab, 'destination');
    const raw = message(10_000, 'relay');
    await withImap(throughProxy(proxy), 'destination', address, async (c) => {
      await c.append('INBOX', raw, ['\\Seen']);
    });
    const snap = await snapshotMailbox(lab, 'destination', address);
    expect(snap.folders.INBOX!.messages.map((m) => m.size)).toEqual([raw.length]);
    const stats = proxy.stats();
    expect(stats.connections).toBe(1);
    expect(stats.connectionsByUser[address.toLowerCase()]).toBe(1);
    expect(stats.commands.APPEND).toBe(1);
    expect(proxy.commands.find((c) => c.name === 'AUTHENTICATE')?.args).toBe('[not kept]');
  });

  it('answers a command itself: the server never sees it and the session goes on', async () => {
    const address = uniqueAddress('proxy-answer');
    await addMailbox(lab, 'destination', address);
    proxy = await FaultProxy.forLab(lab, 'destination');
    proxy.addFault({ on: { name: 'APPEND', nth: 1 }, action: throttledAnswer(1500) });
    const err = await withImap(throughProxy(proxy), 'destination', address, async (c) => {
      // A small (LITERAL+) and then a large (synchronizing) literal: both must stay in step.
      const first = await c.append('INBOX', message(100, 'small'), []).then(() => undefined, (e: unknown) => e as { responseText?: string });
      await c.append('INBOX', message(9_000, 'large'), []);
      return first;
    });
    expect(err?.responseText).toContain('Suggested Backoff Time: 1500 milliseconds');
    const snap = await snapshotMailbox(lab, 'destination', address);
    expect(snap.folders.INBOX!.messages.length).toBe(1);
    expect(proxy.fired.map((f) => f.action)).toEqual(['answer']);
  });

  it('swallowing the tagged OK of an APPEND loses the connection but the message is stored', async () => {
    const address = uniqueAddress('proxy-swallow');
    await addMailbox(lab, 'destination', address);
    proxy = await FaultProxy.forLab(lab, 'destination');
    proxy.addFault({ on: { name: 'APPEND' }, action: { kind: 'cut-before-tagged-reply' } });
    const failed = await withImap(throughProxy(proxy), 'destination', address, (c) => c.append('INBOX', message(6_000, 'swallow'), []).then(() => false, () => true));
    expect(failed).toBe(true);
    const snap = await snapshotMailbox(lab, 'destination', address);
    expect(snap.folders.INBOX!.messages.length).toBe(1);
  });
});
