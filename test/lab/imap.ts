import { ImapFlow } from 'imapflow';
import type { ImapServerName, LabInfo } from './lab-info.js';
import { mintToken } from './tokens.js';

/**
 * imapflow sessions to a lab server, for the lab's own helpers (seed, snapshot) and tests.
 * Default credential: an app token minted in-process (valid, IMAP.AccessAsApp), so helpers do
 * not move the token endpoint's request counters that tests assert on.
 */
export interface LabImapOptions {
  /** 'tls' (implicit, default) or 'starttls'. */
  transport?: 'tls' | 'starttls';
  /** XOAUTH2 access token; default: a freshly minted valid app token. */
  accessToken?: string;
  /** PLAIN/LOGIN instead of XOAUTH2 (destination only). */
  password?: string;
}

export function labImapClient(info: LabInfo, server: ImapServerName, address: string, opts: LabImapOptions = {}): ImapFlow {
  const s = info.imap[server];
  const starttls = opts.transport === 'starttls';
  const client = new ImapFlow({
    host: s.host,
    port: starttls ? s.starttlsPort : s.tlsPort,
    secure: !starttls,
    // Require the upgrade: without it imapflow would log in in cleartext if STARTTLS were stripped.
    ...(starttls ? { doSTARTTLS: true } : {}),
    auth: opts.password !== undefined ? { user: address, pass: opts.password } : { user: address, accessToken: opts.accessToken ?? mintToken(info) },
    logger: false,
    // Names the lab's sessions in the Dovecot log (IMAP ID).
    clientInfo: { name: 'mailmig-lab' },
  });
  // A dropped connection also rejects the command in flight; without a listener the 'error'
  // event imapflow emits as well would be thrown and end the test worker.
  client.on('error', () => undefined);
  return client;
}

/** Connects, runs `fn`, always logs out (or closes if LOGOUT fails). */
export async function withImap<T>(info: LabInfo, server: ImapServerName, address: string, fn: (client: ImapFlow) => Promise<T>, opts: LabImapOptions = {}): Promise<T> {
  const client = labImapClient(info, server, address, opts);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}
