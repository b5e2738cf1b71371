import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDovecot } from '../test/lab/dovecot.js';
import { labServerTls } from '../test/lab/fault-proxy.js';
import type { ImapServerInfo, LabInfo } from '../test/lab/lab-info.js';
import { freePorts } from '../test/lab/ports.js';

/**
 * A second source server for the peer comparison: the lab's "standard" Dovecot flavour (PLAIN
 * and XOAUTH2, Dovecot's own capabilities), same certificate, same token trust, in the lab
 * directory and stopped with it. mbsync cannot log into the XOAUTH2-only Exchange-like source
 * (Debian ships no cyrus-sasl-xoauth2 plugin), so both tools read this one, with PLAIN.
 */
export async function startPlainSource(info: LabInfo): Promise<{ info: ImapServerInfo; stop(): Promise<void> }> {
  const tls = await labServerTls(info, 'destination');
  const runDir = await mkdtemp(join(tmpdir(), 'mmbench-'));
  const [tlsPort, starttls] = (await freePorts(2)) as [number, number];
  const dovecot = await startDovecot({
    name: 'source',
    flavor: 'standard',
    dir: join(info.dir, 'plain-source'),
    runDir,
    ports: { tls: tlsPort, starttls },
    tls: { ...tls, caPath: info.caPath },
    tenantId: info.tenantId,
    signing: { kid: info.entra.signingKid, publicKeyPem: await readFile(info.entra.signingPublicKeyPath, 'utf8') },
    maxConnectionsPerMailbox: 50,
    pidFile: join(info.dir, 'pids'),
  });
  return {
    info: dovecot.info,
    async stop() {
      await dovecot.process.stop();
      await rm(runDir, { recursive: true, force: true });
    },
  };
}
