import { randomBytes } from 'node:crypto';
import { withImap } from '../test/lab/imap.js';
import type { ImapServerName, LabInfo } from '../test/lab/lab-info.js';
import { startLab, type Lab } from '../test/lab/lab.js';
import { addMailbox } from '../test/lab/mailboxes.js';
import { seedMailbox, type SeedFolder } from '../test/lab/seed.js';
import { startPlainSource } from './plain-source.js';

/**
 * The bench lab: the standard lab with a destination that accepts 256 MiB messages (the
 * 100 MB case), plus a PLAIN-enabled source (plain-source.ts). `info` is the lab as the bench
 * sees it: `source` = the PLAIN source, `destination` = the lab's destination.
 */
export interface BenchLab {
  lab: Lab;
  info: LabInfo;
  passwords: Map<string, string>;
  /** Adds mailboxes (with PLAIN passwords) on one server. */
  addMailboxes(server: ImapServerName, addresses: string[]): Promise<void>;
  stop(): Promise<void>;
}

export const DESTINATION_MAX_MAIL_BYTES = 256 * 1024 * 1024;

export async function startBenchLab(): Promise<BenchLab> {
  const lab = await startLab({ destinationMaxMailSizeBytes: DESTINATION_MAX_MAIL_BYTES });
  const plain = await startPlainSource(lab.info).catch(async (e: unknown) => {
    await lab.stop();
    throw e;
  });
  const info: LabInfo = { ...lab.info, imap: { ...lab.info.imap, source: plain.info } };
  const passwords = new Map<string, string>();
  return {
    lab,
    info,
    passwords,
    async addMailboxes(server, addresses) {
      for (const a of addresses) {
        const password = passwords.get(a) ?? randomBytes(12).toString('hex');
        passwords.set(a, password);
        await addMailbox(info, server, a, { password });
      }
    },
    async stop() {
      await plain.stop();
      await lab.stop();
    },
  };
}

/** Seeds mailboxes `parallel` at a time; `make` builds one mailbox's folders just before it is seeded (memory). */
export async function seedAll(info: LabInfo, addresses: string[], make: (i: number) => SeedFolder[], parallel: number): Promise<Map<string, { messages: number; bytes: number }>> {
  const out = new Map<string, { messages: number; bytes: number }>();
  const queue = [...addresses.entries()];
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const folders = make(next[0]);
        const bytes = folders.reduce((n, f) => n + f.messages.reduce((m, x) => m + x.raw.length, 0), 0);
        const { messages } = await seedMailbox(info, 'source', next[1], folders, { connections: folders.length });
        out.set(next[1], { messages, bytes });
      }
    }),
  );
  return out;
}

/** Messages per folder by STATUS (cheap): how mbsync's copies are checked, since it adds a header. */
export async function statusCounts(info: LabInfo, server: ImapServerName, address: string): Promise<Record<string, number>> {
  return withImap(info, server, address, async (c) => {
    const out: Record<string, number> = {};
    for (const f of await c.list()) {
      if (f.flags.has('\\Noselect')) continue;
      const st = await c.status(f.path, { messages: true });
      const n = st === false ? 0 : (st.messages ?? 0);
      if (n > 0) out[f.path] = n;
    }
    return out;
  });
}
