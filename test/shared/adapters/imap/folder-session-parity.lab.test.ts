import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { observeImapCommands } from '../../../../shared/adapters/imap/command-observer.js';
import { ImapDialer } from '../../../../shared/adapters/imap/dialer.js';
import type { FolderSession } from '../../../../shared/adapters/imap/folder-session.js';
import { createSecretStore } from '../../../../shared/composition/create-engine.js';
import { loadSettings } from '../../../../shared/config/settings.js';
import { FaultProxy } from '../../../lab/fault-proxy.js';
import { getLab, labSettings } from '../../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../../lab/mailboxes.js';

/**
 * The two implementations of a folder connection (raw and imapflow) must answer the engine the
 * same way: the engine does not know which one the dialer chose.
 */

let dialer: ImapDialer;
let box: string;
const open: FolderSession[] = [];
let commands: string[] = [];

async function both(): Promise<[string, FolderSession][]> {
  const raw = await dialer.openRaw('destination', box);
  const flow = await dialer.open('destination', box);
  if (!raw) throw new Error('the lab destination should allow a raw connection');
  open.push(raw.item, flow.session);
  return [
    ['raw', raw.item],
    ['imapflow', flow.session],
  ];
}

describe('raw and imapflow folder connections behave the same', () => {
  beforeAll(async () => {
    const lab = getLab();
    const env = labSettings(lab);
    const settings = loadSettings(env);
    dialer = new ImapDialer(settings, createSecretStore(settings, env));
    box = uniqueAddress('parity');
    await addMailbox(lab, 'destination', box);
    observeImapCommands((_site, command) => commands.push(command));
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    commands = [];
  });
  afterAll(() => observeImapCommands(undefined));

  it('a CREATE of a folder that already exists is accepted by both, and the folder is listed once', async () => {
    const sessions = await both();
    await sessions[0]![1].createFolder('Parity');
    for (const [name, s] of sessions) await expect(s.createFolder('Parity'), name).resolves.toBeUndefined();
    for (const [, s] of sessions) expect((await s.listFolders()).filter((f) => f.path === 'Parity')).toHaveLength(1);
  });

  it('a CREATE refused with "already exists" in words only (no ALREADYEXISTS code) is accepted by both too', async () => {
    const lab = getLab();
    const proxy = await FaultProxy.forLab(lab, 'destination');
    try {
      const env = labSettings(lab, { DESTINATION_IMAP_PORT: String(proxy.port) });
      const settings = loadSettings(env);
      const viaProxy = new ImapDialer(settings, createSecretStore(settings, env));
      proxy.addFault({ on: { name: 'CREATE', nth: 1, times: 2 }, action: { kind: 'answer', text: 'NO Mailbox already exists' } });
      const raw = await viaProxy.openRaw('destination', box);
      const flow = await viaProxy.open('destination', box);
      if (!raw) throw new Error('the lab destination should allow a raw connection');
      open.push(raw.item, flow.session);
      await expect(raw.item.createFolder('Worded'), 'raw').resolves.toBeUndefined();
      await expect(flow.session.createFolder('Worded'), 'imapflow').resolves.toBeUndefined();
      expect(proxy.fired.map((f) => f.action)).toEqual(['answer', 'answer']);
    } finally {
      await Promise.all(open.splice(0).map((s) => s.close()));
      await proxy.stop();
    }
  });

  it('a read-only select of the folder already open read-only sends no second EXAMINE on either; a read-write SELECT is always sent', async () => {
    for (const [name, s] of await both()) {
      commands = [];
      const a = await s.select('INBOX', true);
      const b = await s.select('INBOX', true);
      expect(b, name).toEqual(a);
      expect(commands.filter((c) => /^EXAMINE /i.test(c)), name).toHaveLength(1);
      await s.select('INBOX', false);
      await s.select('INBOX', false);
      expect(commands.filter((c) => /^SELECT /i.test(c)), name).toHaveLength(2);
    }
  });

  it('statusMany gives the same answers on both, a folder that does not exist left out', async () => {
    const sessions = await both();
    await sessions[0]![1].createFolder('Parity/Child');
    const asked = ['INBOX', 'Parity/Child', 'No such folder'];
    // One after the other: Dovecot answers UIDVALIDITY 0 to a STATUS of a new folder while another connection's first STATUS is building its index.
    const raw = await sessions[0]![1].statusMany(asked);
    const flow = await sessions[1]![1].statusMany(asked);
    expect([...raw.keys()].sort()).toEqual(['INBOX', 'Parity/Child']);
    expect(flow).toEqual(raw);
  });
});
