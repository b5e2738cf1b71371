import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { get } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { describe, expect, test } from 'vitest';
import { loadSettings } from '../../shared/config/settings.js';
import { makeRsaKeyPair } from './certs.js';
import { startDovecot } from './dovecot.js';
import { startLab } from './lab.js';
import { getLab, labSettings } from './lab-info.js';
import { withImap } from './imap.js';
import { addMailbox, uniqueAddress } from './mailboxes.js';
import { labHome } from './paths.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the lab as a whole', () => {
  const info = getLab();

  test('a test worker trusts the lab CA: TLS to the token endpoint, Key Vault and Dovecot verifies with default options', async () => {
    expect(readFileSync(process.env.NODE_EXTRA_CA_CERTS!, 'utf8')).toContain(readFileSync(info.caPath, 'utf8').trim());
    for (const url of [info.entra.openIdConfigurationUrl, `${info.keyVault.url}/secrets/x`]) {
      const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => get(url, resolve).on('error', reject));
      res.resume();
      expect(res.socket).toBeDefined();
      expect([200, 401]).toContain(res.statusCode);
    }
    for (const port of [info.imap.source.tlsPort, info.imap.destination.tlsPort]) {
      const sock = connect({ host: '127.0.0.1', port });
      await once(sock, 'secureConnect');
      expect(sock.authorized).toBe(true);
      sock.destroy();
    }
  });

  test('labSettings gives settings the project schema accepts, pointing at the lab', () => {
    const s = loadSettings(labSettings(info));
    expect(s.source).toMatchObject({ host: '127.0.0.1', port: info.imap.source.tlsPort, tls: 'implicit', auth: 'oauth2-app', tenantId: info.tenantId, clientId: info.entra.clients.migration.clientId, authorityHost: info.entra.authorityHost, clientSecretName: 'source-client-secret' });
    expect(s.destination.port).toBe(info.imap.destination.tlsPort);
    expect(s.keyVaultUrl).toBe(info.keyVault.url);
    expect(s.maxMessageBytes).toBe(info.imap.destination.maxMailSizeBytes);
    const env = labSettings(info, { SOURCE_CLIENT_SECRET_NAME: '', SOURCE_CLIENT_CERT_NAME: 'source-client-cert', SOURCE_CLIENT_ID: info.entra.clients.certificate.clientId });
    expect(loadSettings(env).source).toMatchObject({ clientCertName: 'source-client-cert', clientId: info.entra.clients.certificate.clientId });
    expect(env).toMatchObject({ AZURE_TENANT_ID: info.tenantId, AZURE_CLIENT_ID: info.entra.clients.vaultReader.clientId, AZURE_AUTHORITY_HOST: info.entra.authorityHost });
  });

  test('Azurite serves blobs and tables with the lab connection string, and its queue port answers', async () => {
    const name = `lab${process.pid}${randomBytes(3).toString('hex')}`;
    const container = BlobServiceClient.fromConnectionString(info.azurite.connectionString).getContainerClient(name);
    await container.create();
    await container.getBlockBlobClient('incoming/a.csv').upload('Email\r\na@contoso.example\r\n', 27);
    expect((await container.getBlobClient('incoming/a.csv').downloadToBuffer()).toString()).toBe('Email\r\na@contoso.example\r\n');
    const table = TableClient.fromConnectionString(info.azurite.connectionString, name, { allowInsecureConnection: true });
    await table.createTable();
    await table.upsertEntity({ partitionKey: 'mbx', rowKey: 'INBOX', lastUid: 42 });
    expect((await table.getEntity<{ lastUid: number }>('mbx', 'INBOX')).lastUid).toBe(42);
    const queue = await fetch(`http://127.0.0.1:${info.azurite.queuePort}/devstoreaccount1?comp=list`);
    expect(queue.status).toBe(403); // up, and wants a signed request
  });

  test('startLab in a worker brings up a private lab within seconds, and stop() leaves no process or directory behind', async () => {
    // Under the system temp dir: the checkout itself may sit in a 0700 directory Dovecot cannot enter.
    const dir = join(tmpdir(), `mailmig-private-${process.pid}-${randomBytes(3).toString('hex')}`);
    const started = Date.now();
    const lab = await startLab({ dir, destinationMaxMailSizeBytes: 1024 * 1024 });
    const startMs = Date.now() - started;
    console.log(`[lab] private lab up in ${startMs} ms`);
    expect(startMs).toBeLessThan(10_000);
    try {
      expect(lab.info.imap.destination.maxMailSizeBytes).toBe(1024 * 1024);
      const address = uniqueAddress('private');
      await addMailbox(lab.info, 'source', address);
      // The private lab's servers use the shared CA, which this worker already trusts.
      expect(await withImap(lab.info, 'source', address, async (c) => c.authenticated)).toBeTruthy();
    } finally {
      const pids = (await readFile(join(dir, 'pids'), 'utf8')).split('\n').filter(Boolean).map(Number);
      expect(pids.length).toBe(3); // two Dovecot masters, Azurite
      expect(pids.every(alive)).toBe(true);
      await lab.stop();
      expect(pids.filter(alive)).toEqual([]);
      expect(existsSync(dir)).toBe(false);
    }
  });

  test('a Dovecot that cannot start fails loudly, with its log, and leaves no process behind', async () => {
    // Both ports taken by a silent listener: connects succeed, no greeting, Dovecot cannot bind.
    const blockers = [createServer().listen(0, '127.0.0.1'), createServer().listen(0, '127.0.0.1')];
    await Promise.all(blockers.map((b) => once(b, 'listening')));
    const [tls, starttls] = blockers.map((b) => (b.address() as AddressInfo).port) as [number, number];
    const dir = await mkdtemp(join(tmpdir(), 'mmlab-fail-'));
    try {
      const key = await makeRsaKeyPair();
      const ca = join(labHome(), 'ca');
      const start = startDovecot({
        name: 'source', flavor: 'exchange', dir: join(dir, 'source'), runDir: join(dir, 'run'), ports: { tls, starttls },
        tls: { certPath: join(ca, 'server.pem'), keyPath: join(ca, 'server.key'), caPath: join(ca, 'ca.pem') }, tenantId: 't', signing: { kid: 'k', publicKeyPem: key.publicKeyPem },
        maxConnectionsPerMailbox: 5, pidFile: join(dir, 'pids'),
      });
      await expect(start).rejects.toThrow(/Dovecot \(source\) did not come up: [\s\S]*Address already in use/);
      const pids = (await readFile(join(dir, 'pids'), 'utf8')).split('\n').filter(Boolean).map(Number);
      expect(pids.filter(alive)).toEqual([]);
    } finally {
      for (const b of blockers) b.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
