import { readFile } from 'node:fs/promises';
import { connect } from 'node:tls';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { describe, expect, test } from 'vitest';
import { makeMessage } from './corpus.js';
import { labImapClient, withImap } from './imap.js';
import { getLab, type ImapServerName, type LabInfo } from './lab-info.js';
import { addMailbox, listMailboxes, removeMailbox, uniqueAddress } from './mailboxes.js';
import { mintToken } from './tokens.js';

/** What imapflow puts on the Error of a failed command (see the tests below for real values). */
interface ImapError {
  message: string;
  authenticationFailed?: boolean;
  serverResponseCode?: string;
  responseStatus?: string;
  responseText?: string;
  response?: string;
}

async function imapError(p: Promise<unknown>): Promise<ImapError> {
  try {
    await p;
  } catch (err) {
    return err as ImapError;
  }
  throw new Error('expected the IMAP call to fail');
}

async function login(info: LabInfo, server: ImapServerName, address: string, opts: Parameters<typeof labImapClient>[3] = {}): Promise<void> {
  const c = labImapClient(info, server, address, opts);
  await c.connect();
  await c.logout();
}

/** CAPABILITY before login, over implicit TLS, with Node's default trust (the lab CA via NODE_EXTRA_CA_CERTS). */
function preLoginCapability(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port });
    let buf = '';
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n') && !buf.includes('a1 ')) sock.write('a1 CAPABILITY\r\n');
      const cap = /\* CAPABILITY ([^\r\n]*)\r\n[\s\S]*a1 OK/.exec(buf);
      if (cap) {
        sock.end('a2 LOGOUT\r\n');
        resolve(cap[1]!);
      }
    });
    sock.on('error', reject);
  });
}

describe('lab Dovecot servers', () => {
  const info = getLab();

  test('the source advertises what Exchange Online does, and only XOAUTH2; the destination adds PLAIN and LOGIN', async () => {
    const source = await preLoginCapability(info.imap.source.tlsPort);
    expect(source.split(' ')).toEqual(expect.arrayContaining(['IMAP4rev1', 'SASL-IR', 'UIDPLUS', 'MOVE', 'ID', 'UNSELECT', 'CHILDREN', 'IDLE', 'NAMESPACE', 'LITERAL+', 'AUTH=XOAUTH2']));
    expect(source).not.toMatch(/AUTH=PLAIN|CONDSTORE|SPECIAL-USE|APPENDLIMIT|QUOTA/);
    const destination = await preLoginCapability(info.imap.destination.tlsPort);
    expect(destination).toMatch(/AUTH=XOAUTH2/);
    expect(destination).toMatch(/AUTH=PLAIN/);
    expect(destination).toMatch(/AUTH=LOGIN/);
  });

  test('XOAUTH2 with the mailbox address and an app token from the lab Entra (MSAL) logs in to both servers', async () => {
    const m = info.entra.clients.migration;
    const cca = new ConfidentialClientApplication({ auth: { ...info.clients.msal, clientId: m.clientId, clientSecret: m.clientSecret } });
    const token = (await cca.acquireTokenByClientCredential({ scopes: ['https://outlook.office365.com/.default'] }))!.accessToken;
    for (const server of ['source', 'destination'] as const) {
      const address = uniqueAddress('xoauth2');
      await addMailbox(info, server, address);
      const caps = await withImap(info, server, address, async (c) => {
        expect(c.namespace?.delimiter).toBe('/');
        return [...c.capabilities.keys()];
      }, { accessToken: token });
      if (server === 'source') expect(caps).toEqual(['IMAP4rev1', 'SASL-IR', 'UIDPLUS', 'MOVE', 'ID', 'UNSELECT', 'CHILDREN', 'IDLE', 'NAMESPACE', 'LITERAL+']);
      else expect(caps).toContain('SPECIAL-USE');
    }
  });

  test('a mailbox that was never added (no FullAccess grant) gets a clean NO [AUTHENTICATIONFAILED]', async () => {
    const err = await imapError(login(info, 'source', uniqueAddress('nogrant')));
    // imapflow exposes: message 'Command failed', authenticationFailed true, serverResponseCode
    // 'AUTHENTICATIONFAILED', responseStatus 'NO', responseText 'Authentication failed.',
    // response '<tag> NO [AUTHENTICATIONFAILED] Authentication failed.'
    expect(err).toMatchObject({
      message: 'Command failed',
      authenticationFailed: true,
      serverResponseCode: 'AUTHENTICATIONFAILED',
      responseStatus: 'NO',
      responseText: 'Authentication failed.',
    });
    expect(err.response).toMatch(/^\d+ NO \[AUTHENTICATIONFAILED\] Authentication failed\.$/);
  });

  test('expired, wrong-audience, wrong-key and unknown-kid tokens get the same NO; the Dovecot log says why', async () => {
    const address = uniqueAddress('badtoken');
    await addMailbox(info, 'source', address);
    const cases: [string, string][] = [
      [mintToken(info, { expiresInSeconds: -60 }), 'Token has expired'],
      [mintToken(info, { audience: 'https://vault.azure.net' }), "Token audience does not include 'https://outlook.office365.com'"],
      [mintToken(info, { key: 'untrusted' }), 'Bad signature'],
      [mintToken(info, { kid: 'no-such-kid' }), "RS256 key 'no-such-kid' not found"],
    ];
    for (const [accessToken, reason] of cases) {
      const started = Date.now();
      const err = await imapError(login(info, 'source', address, { accessToken }));
      expect(err).toMatchObject({ authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED', responseStatus: 'NO' });
      expect(Date.now() - started).toBeLessThan(400); // no failure delay
      expect(await readFile(info.imap.source.logPath, 'utf8')).toContain(`oauth2 failed: Local validation failed: ${reason}`);
    }
  });

  test("a token whose roles array follows exactly 8 scalar claims logs in without killing Dovecot's auth process", async () => {
    const address = uniqueAddress('eight');
    await addMailbox(info, 'source', address);
    // aud iss exp appid sub tid iat nbf = 8 scalars, then roles: the layout that crashes 2.3.19 (tokens.ts).
    const drop = Object.fromEntries(['aio', 'app_displayname', 'appidacr', 'idp', 'idtyp', 'oid', 'rh', 'uti', 'ver'].map((k) => [k, undefined]));
    await login(info, 'source', address, { accessToken: mintToken(info, { claims: drop }) });
    expect(await readFile(info.imap.source.logPath, 'utf8')).not.toMatch(/killed with signal/);
  });

  test('the STARTTLS port upgrades to TLS before XOAUTH2', async () => {
    const address = uniqueAddress('starttls');
    await addMailbox(info, 'source', address);
    const client = labImapClient(info, 'source', address, { transport: 'starttls' });
    await client.connect();
    expect(client.secureConnection).toBe(true);
    await client.logout();
  });

  test('the destination accepts PLAIN/LOGIN with the mailbox password and refuses a wrong one', async () => {
    const address = uniqueAddress('password');
    await addMailbox(info, 'destination', address, { password: 'Secret-1' });
    await login(info, 'destination', address, { password: 'Secret-1' });
    expect(await imapError(login(info, 'destination', address, { password: 'wrong' }))).toMatchObject({ authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED' });
  });

  test('a removed mailbox cannot log in at the very next attempt; added back, it can again', async () => {
    const address = uniqueAddress('revoked');
    await addMailbox(info, 'source', address);
    await login(info, 'source', address);
    await removeMailbox(info, 'source', address);
    expect((await imapError(login(info, 'source', address))).serverResponseCode).toBe('AUTHENTICATIONFAILED');
    await addMailbox(info, 'source', address);
    await login(info, 'source', address);
  });

  test('twenty mailboxes added at once are all listed and can log in', async () => {
    const addresses = Array.from({ length: 20 }, () => uniqueAddress('parallel'));
    await Promise.all(addresses.map((a) => addMailbox(info, 'destination', a, { password: 'pw' })));
    expect(await listMailboxes(info, 'destination')).toEqual(expect.arrayContaining(addresses));
    await Promise.all(addresses.slice(0, 5).map((a) => login(info, 'destination', a)));
  });

  test('the source has Exchange special-use folders and accepts "." in folder names (listescape)', async () => {
    const address = uniqueAddress('folders');
    await addMailbox(info, 'source', address);
    const listed = await withImap(info, 'source', address, async (c) => {
      await c.mailboxCreate(['Team.Notes']);
      return new Map((await c.list()).map((f) => [f.path, [...f.flags]]));
    });
    expect(listed.get('Sent Items')).toContain('\\Sent');
    expect(listed.get('Deleted Items')).toContain('\\Trash');
    expect(listed.get('Junk Email')).toContain('\\Junk');
    expect(listed.get('Drafts')).toContain('\\Drafts');
    expect(listed.get('Archive')).toContain('\\Archive');
    expect(listed.has('Team.Notes')).toBe(true);
  });

  test('the destination refuses an APPEND over quota_max_mail_size with NO [LIMIT]', async () => {
    const address = uniqueAddress('maxsize');
    await addMailbox(info, 'destination', address);
    const big = makeMessage({ subject: 'big', from: 'a@contoso.example', to: 'b@contoso.example', date: new Date(0), bodyBytes: info.imap.destination.maxMailSizeBytes! + 1024, seed: 'big' });
    const err = await withImap(info, 'destination', address, (c) => imapError(c.append('INBOX', big)));
    // Dovecot answers before the literal is sent:
    // '<tag> NO [LIMIT] Mail size is larger than the maximum size allowed by server configuration (0.001 + 0.000 secs).'
    expect(err).toMatchObject({ serverResponseCode: 'LIMIT', responseStatus: 'NO' });
    expect(err.responseText).toMatch(/^Mail size is larger than the maximum size allowed by server configuration/);
    expect(err.authenticationFailed).toBeUndefined();
  });

  test('a mailbox with a quota refuses the APPEND that would exceed it with NO [OVERQUOTA]', async () => {
    const address = uniqueAddress('quota');
    await addMailbox(info, 'destination', address, { quotaBytes: 50_000 });
    const msg = (n: number): Buffer => makeMessage({ subject: `q${n}`, from: 'a@contoso.example', to: 'b@contoso.example', date: new Date(0), bodyBytes: 20_000, seed: `q${n}` });
    const err = await withImap(info, 'destination', address, async (c) => {
      await c.append('INBOX', msg(1));
      await c.append('INBOX', msg(2));
      return imapError(c.append('INBOX', msg(3)));
    });
    // '<tag> NO [OVERQUOTA] Quota exceeded (mailbox for user is full) (0.001 + 0.000 secs).'
    expect(err).toMatchObject({ serverResponseCode: 'OVERQUOTA', responseStatus: 'NO' });
    expect(err.responseText).toMatch(/^Quota exceeded \(mailbox for user is full\)/);
  });
});
