import { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { observeImapCommands } from '../../../../shared/adapters/imap/command-observer.js';
import { RawImapConnection, type ImapSocket } from '../../../../shared/adapters/imap/raw-connection.js';
import { MigrationError } from '../../../../shared/errors/migration-error.js';

/**
 * RawImapConnection over an in-memory socket: a scripted server reads each command (skipping the
 * bytes of its LITERAL+ literals) and answers with the bytes the script gives, pushed one byte at
 * a time so every response arrives split.
 */
class ScriptedServer {
  readonly commands: string[] = [];
  readonly written: string[] = [];
  private buffered = '';
  private skip = 0;
  private current = '';
  readonly socket: ImapSocket;

  constructor(private readonly answer: (tag: string, command: string) => string) {
    const duplex = new Duplex({
      read: () => undefined,
      write: (chunk: Buffer, _enc, done) => {
        this.written.push(chunk.toString('latin1'));
        this.onBytes(chunk.toString('latin1'));
        done();
      },
    });
    this.socket = Object.assign(duplex, { setKeepAlive: () => duplex, setTimeout: () => duplex }) as unknown as ImapSocket;
  }

  /** Sends bytes to the client, one byte per chunk. */
  send(text: string): void {
    for (const byte of Buffer.from(text, 'latin1')) this.socket.push(Buffer.from([byte]));
  }

  private onBytes(text: string): void {
    this.buffered += text;
    for (;;) {
      if (this.skip > 0) {
        if (this.buffered.length < this.skip) return;
        this.current += `<${this.skip} bytes>`;
        this.buffered = this.buffered.slice(this.skip);
        this.skip = 0;
      }
      const nl = this.buffered.indexOf('\r\n');
      if (nl < 0) return;
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 2);
      const lit = /\{(\d+)\+\}$/.exec(line);
      this.current += line;
      if (lit) {
        this.skip = Number(lit[1]);
        continue;
      }
      const command = this.current;
      this.current = '';
      this.commands.push(command);
      const sp = command.indexOf(' ');
      const out = this.answer(command.slice(0, sp), command.slice(sp + 1));
      if (out) this.send(out);
    }
  }
}

const AUTH = { user: 'anna@contoso.example', pass: 'secret' };

/** A server that logs in anyone and answers the rest with `rest` (or OK). */
function server(rest: (tag: string, command: string) => string | undefined = () => undefined): ScriptedServer {
  return new ScriptedServer((tag, command) => {
    if (command.startsWith('AUTHENTICATE ')) return `${tag} OK Logged in\r\n`;
    if (command === 'CAPABILITY') return `* CAPABILITY IMAP4rev1 SASL-IR LITERAL+ UIDPLUS MULTIAPPEND\r\n${tag} OK done\r\n`;
    return rest(tag, command) ?? `${tag} OK done\r\n`;
  });
}

async function login(s: ScriptedServer): Promise<RawImapConnection> {
  s.send('* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n');
  const opened = await RawImapConnection.start(s.socket, AUTH, 'destination', { tagPrefix: 'T' });
  if (!opened) throw new Error('not opened');
  return opened.connection;
}

afterEach(() => observeImapCommands(undefined));

describe('RawImapConnection over an in-memory socket', () => {
  it('logs in with one AUTHENTICATE and one CAPABILITY, and reports each command to the observer', async () => {
    const seen: string[] = [];
    observeImapCommands((site, command) => seen.push(`${site} ${command}`));
    const s = server();
    s.send('* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n');
    const opened = await RawImapConnection.start(s.socket, AUTH, 'destination', { tagPrefix: 'T' });
    expect([...(opened?.capabilities ?? [])]).toEqual(['CAPABILITY', 'IMAP4REV1', 'SASL-IR', 'LITERAL+', 'UIDPLUS', 'MULTIAPPEND']);
    expect(s.commands).toEqual([`T1 AUTHENTICATE PLAIN ${Buffer.from('\x00anna@contoso.example\x00secret').toString('base64')}`, 'T2 CAPABILITY']);
    expect(seen).toEqual(['destination AUTHENTICATE', 'destination CAPABILITY']);
  });

  it('logs in with AUTHENTICATE alone when its OK states the capabilities (one round trip less per connection)', async () => {
    const s = new ScriptedServer((tag, command) => (command.startsWith('AUTHENTICATE ') ? `${tag} OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ UIDPLUS] Logged in\r\n` : `${tag} OK done\r\n`));
    s.send('* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n');
    const opened = await RawImapConnection.start(s.socket, AUTH, 'destination', { tagPrefix: 'T' });
    expect([...(opened?.capabilities ?? [])]).toEqual(['IMAP4REV1', 'SASL-IR', 'LITERAL+', 'UIDPLUS']);
    expect(s.commands.map((c) => c.split(' ')[1])).toEqual(['AUTHENTICATE']);
  });

  it('credentials still on their way: the greeting is read and CAPABILITY asked meanwhile, and the login goes once they come', async () => {
    const s = server();
    let give!: (a: typeof AUTH) => void;
    const opening = RawImapConnection.start(s.socket, new Promise<typeof AUTH>((r) => (give = r)), 'destination', { tagPrefix: 'T' });
    s.send('* OK ready\r\n');
    await new Promise((r) => setTimeout(r, 20));
    expect(s.commands).toEqual(['T1 CAPABILITY']);
    give(AUTH);
    const opened = await opening;
    expect(opened?.capabilities.has('UIDPLUS')).toBe(true);
    expect(s.commands).toEqual(['T1 CAPABILITY', `T2 AUTHENTICATE PLAIN ${Buffer.from('\x00anna@contoso.example\x00secret').toString('base64')}`, 'T3 CAPABILITY']);
  });

  it('credentials that fail after the connection was made: their own error, nothing sent for a login, the socket closed', async () => {
    const s = server();
    const refused = new MigrationError('TOKEN_INVALID_CLIENT', 'permanent', 'the token endpoint refused the client');
    let fail!: (e: unknown) => void;
    const opening = RawImapConnection.start(s.socket, new Promise<typeof AUTH>((_, reject) => (fail = reject)), 'source', { tagPrefix: 'T' });
    s.send('* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n');
    await new Promise((r) => setTimeout(r, 20));
    fail(refused);
    await expect(opening).rejects.toBe(refused);
    expect(s.commands).toEqual([]);
    expect(s.socket.destroyed).toBe(true);
  });

  it('a server without SASL-IR is left with a LOGOUT and gives undefined', async () => {
    const s = server((tag, command) => (command === 'LOGOUT' ? `* BYE bye\r\n${tag} OK done\r\n` : undefined));
    s.send('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n');
    expect(await RawImapConnection.start(s.socket, AUTH, 'source')).toBeUndefined();
    expect(s.commands).toEqual(['R1 LOGOUT']);
  });

  it('a FETCH row with a literal, arriving a byte at a time, goes to the handler of the command that asked', async () => {
    const s = server((tag, command) => (command.startsWith('UID FETCH') ? `* 1 FETCH (UID 7 BODY[] {5}\r\nab\r\nc)\r\n* 2 EXISTS\r\n${tag} OK done\r\n` : undefined));
    const c = await login(s);
    const rows: { parts: string[]; literal: string }[] = [];
    await c.command(['UID FETCH 7 (BODY.PEEK[])\r\n'], { FETCH: (r) => rows.push({ parts: r.parts, literal: r.literals[0]!.toString('latin1') }) });
    expect(rows).toEqual([{ parts: ['* 1 FETCH (UID 7 BODY[] ', ')'], literal: 'ab\r\nc' }]);
  });

  it('pipelined commands answered out of order each get their own answer; a NO is classified as before', async () => {
    const held: string[] = [];
    const s = server((tag, command) => {
      held.push(`${tag} ${command.startsWith('APPEND "full"') ? 'NO [OVERQUOTA] Quota exceeded' : `OK [APPENDUID 9 ${tag.slice(1)}] done`}\r\n`);
      if (held.length < 3) return '';
      return held.reverse().join('');
    });
    const c = await login(s);
    const answers = ['a', 'full', 'b'].map((box) => c.command([`APPEND "${box}" () {3+}\r\n`, Buffer.from('x\r\n'), '\r\n']));
    const settled = await Promise.allSettled(answers);
    expect(settled[0]).toEqual({ status: 'fulfilled', value: 'OK [APPENDUID 9 3] done' });
    expect(settled[2]).toEqual({ status: 'fulfilled', value: 'OK [APPENDUID 9 5] done' });
    const refused = (settled[1] as PromiseRejectedResult).reason as MigrationError;
    expect({ code: refused.code, errorClass: refused.errorClass, message: refused.message }).toEqual({ code: 'OVER_QUOTA', errorClass: 'permanent', message: 'destination IMAP: Command failed | Quota exceeded' });
    expect(s.commands.slice(2)).toEqual(['T3 APPEND "a" () {3+}<3 bytes>', 'T4 APPEND "full" () {3+}<3 bytes>', 'T5 APPEND "b" () {3+}<3 bytes>']);
    expect(c.usable).toBe(true);
  });

  it('a BYE in the middle of a pipeline fails every command in flight; nothing more is written', async () => {
    const s = server((tag) => (tag === 'T4' ? `T3 OK done\r\n* BYE Session invalidated - AccessTokenExpired\r\n` : ''));
    const c = await login(s);
    const answers = [c.command(['NOOP\r\n']), c.command(['NOOP\r\n']), c.command(['NOOP\r\n'])];
    const settled = await Promise.allSettled(answers);
    expect(settled[0]!.status).toBe('fulfilled');
    for (const x of settled.slice(1)) expect(x).toMatchObject({ status: 'rejected', reason: { code: 'IMAP_TOKEN_EXPIRED', errorClass: 'transient' } });
    expect(c.usable).toBe(false);
    const written = s.written.length;
    await expect(c.command(['NOOP\r\n'])).rejects.toBe(c.failure);
    expect(s.written).toHaveLength(written);
  });

  it('a command being written that is answered early is ended at once with its CRLF', async () => {
    const s = server((tag, command) => (command.startsWith('APPEND') ? '' : undefined));
    const c = await login(s);
    const open = c.begin(['APPEND "x" () {3+}\r\n', Buffer.from('abc')]);
    s.send('T3 NO [TOOBIG] too large\r\n');
    await expect(open.answer).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    expect(open.ended).toBe(true);
    expect(s.written.at(-1)).toBe('\r\n');
    expect(s.commands.at(-1)).toBe('T3 APPEND "x" () {3+}<3 bytes>');
  });
});
