import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PipelinedAppender } from '../../../../shared/adapters/imap/pipelined-appender.js';
import { loadSettings } from '../../../../shared/config/settings.js';
import { FaultProxy } from '../../../lab/fault-proxy.js';
import { getLab, labSettings, type LabInfo } from '../../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../../lab/mailboxes.js';
import { withImap } from '../../../lab/imap.js';
import { mintToken } from '../../../lab/tokens.js';

/**
 * A MULTIAPPEND command takes its messages as they arrive from the source, so a server may answer
 * it while it is still being written (here: refused at its first line). The command must then be
 * ended at once and nothing more written into it; its messages are sent again one by one, and the
 * connection stays in step with the server.
 */

let lab: LabInfo;
let proxy: FaultProxy | undefined;

function message(n: number): Buffer {
  return Buffer.from(`From: a@contoso.example\r\nTo: b@contoso.example\r\nSubject: early ${n}\r\nMessage-ID: <early-${n}@contoso.example>\r\n\r\n${'body '.repeat(200)}${n}\r\n`);
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const end = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('reliability: a MULTIAPPEND answered while it is being written', () => {
  beforeAll(() => {
    lab = getLab();
  });
  afterEach(async () => {
    await proxy?.stop();
  });

  it('is ended at once; its message is stored alone, the later ones follow on the same connection, each once', async () => {
    const address = uniqueAddress('rel-early');
    await addMailbox(lab, 'destination', address);
    proxy = await FaultProxy.forLab(lab, 'destination');
    proxy.addFault({ on: { name: 'APPEND', nth: 1 }, action: { kind: 'answer', text: 'NO [LIMIT] Refused at its first line' } });
    const side = loadSettings(labSettings(lab, { DESTINATION_IMAP_HOST: proxy.host, DESTINATION_IMAP_PORT: String(proxy.port) })).destination;
    const appender = await PipelinedAppender.open(side, { user: address, accessToken: mintToken(lab) }, 'destination', { batchMessages: 3 });
    expect(appender, 'the lab destination offers LITERAL+, UIDPLUS and SASL-IR').toBeDefined();
    const a = appender!;
    try {
      await a.selectFolder('INBOX');
      const date = '2024-03-01T10:00:00.000Z';
      const first = a.append('INBOX', message(1), ['\\Seen'], date);
      // The refusal arrives while the command still waits for its next messages; the client ends
      // it and sends the message again alone (a second APPEND) before anything else is appended.
      await until('the first message sent again alone', () => proxy!.commands.filter((c) => c.name === 'APPEND').length >= 2);
      const later = [a.append('INBOX', message(2), [], date), a.append('INBOX', message(3), ['\\Flagged'], date)];
      a.flush();
      const results = await Promise.all([first, ...later]);
      expect(proxy.fired.map((f) => f.action)).toEqual(['answer']);
      expect(results.every((r) => typeof r.uid === 'number')).toBe(true);
      expect(new Set(results.map((r) => r.uid)).size).toBe(3);
      expect(a.usable).toBe(true);
    } finally {
      await a.close();
    }
    const stored = await withImap(lab, 'destination', address, async (c) => {
      await c.mailboxOpen('INBOX', { readOnly: true });
      const out: { subject: string; flags: string[] }[] = [];
      for await (const m of c.fetch('1:*', { envelope: true, flags: true })) out.push({ subject: m.envelope?.subject ?? '', flags: [...(m.flags ?? [])].sort() });
      return out.sort((x, y) => x.subject.localeCompare(y.subject));
    });
    expect(stored).toEqual([
      { subject: 'early 1', flags: ['\\Seen'] },
      { subject: 'early 2', flags: [] },
      { subject: 'early 3', flags: ['\\Flagged'] },
    ]);
  });
});
