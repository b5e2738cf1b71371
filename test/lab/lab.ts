import { createHash, createPublicKey, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startAzurite } from './azurite.js';
import { ensureSharedTls, makeClientCertificate, makeRsaKeyPair } from './certs.js';
import { startDovecot, type DovecotFlavor, type DovecotInstance } from './dovecot.js';
import { newClientSecret, startEntra, type EntraServer } from './entra.js';
import { startKeyVault } from './keyvault.js';
import { assertLabAllowed, type ImapServerName, type LabInfo } from './lab-info.js';
import { labHome } from './paths.js';
import { freePorts } from './ports.js';
import { startWatchdog } from './processes.js';
import { IMAP_ROLE, OUTLOOK_RESOURCE } from './tokens.js';

/**
 * The test lab: real stand-ins for Exchange Online (Dovecot "source"), a destination IMAP server
 * (Dovecot "destination"), Entra ID (token endpoint), Key Vault and Azure Storage (Azurite), all
 * on 127.0.0.1 with free ports, in one directory. See TEST-INFRA.md for why each piece is built
 * this way.
 *
 * Client options proven against this lab by the tests next to this file (the engine's adapters
 * copy them; LabInfo.clients carries them ready to use):
 *
 *   MSAL (@azure/msal-node 7.2), one ConfidentialClientApplication per process:
 *     new ConfidentialClientApplication({ auth: {
 *       clientId,
 *       authority: `${authorityHost}/${tenantId}`,        // https://127.0.0.1:<port>/<tenant>; "localhost" fails
 *                                                          // (endpoints_resolution_error: the metadata names 127.0.0.1)
 *       knownAuthorities: ['127.0.0.1:<port>'],           // host:port of the authority: no instance discovery
 *       authorityMetadata: JSON.stringify(openIdConfig),  // optional: skips the metadata GET (the lab serves it)
 *       clientSecret,                                     // or:
 *       clientCertificate: { thumbprintSha256, privateKey: keyPem, x5c: certPem },  // PS256 + x5t#S256
 *       // (thumbprint: sha1Hex also works: RS256 + x5t)
 *     } })
 *     cca.acquireTokenByClientCredential({ scopes: ['https://outlook.office365.com/.default'] })
 *     Cache: a token is reused while at least 300 s are left (expired when now + 300 > exp).
 *     Throttling: after a 429 or 5xx MSAL refuses the same request itself for Retry-After seconds
 *     (60 s without the header); those refusals are ServerError with errorCode = the AADSTS
 *     number as text ('90055') and no status, unlike the first one (errorCode
 *     'temporarily_unavailable', errorNo 90055, status 429).
 *
 *   Key Vault (@azure/keyvault-secrets 4.11 + @azure/identity 4.13):
 *     new SecretClient(keyVaultUrl,
 *       new ClientSecretCredential(tenantId, vaultReaderId, vaultReaderSecret,
 *         { authorityHost, disableInstanceDiscovery: true }),
 *       { disableChallengeResourceVerification: true })  // the vault is not *.vault.azure.net
 *     Without disableInstanceDiscovery MSAL asks login.microsoftonline.com about the authority
 *     and fails offline. EnvironmentCredential (AZURE_* variables) cannot pass that option.
 *
 *   imapflow: new ImapFlow({ host: '127.0.0.1', port: tlsPort, secure: true,
 *       auth: { user: mailboxAddress, accessToken }, logger: false })
 *     STARTTLS: port = starttlsPort, secure: false, doSTARTTLS: true (fail rather than log in in cleartext).
 *     TLS trust comes from NODE_EXTRA_CA_CERTS (global-setup); no rejectUnauthorized:false.
 */

export interface StartLabOptions {
  /** Lab directory; default `.lab/<random>` under the project root. */
  dir?: string;
  /** Destination `quota_max_mail_size`; default 2 MiB. */
  destinationMaxMailSizeBytes?: number;
  /** Source `quota_max_mail_size`; default unlimited. */
  sourceMaxMailSizeBytes?: number;
  /** `expires_in` of issued tokens; default 3599 (as Entra). */
  tokenLifetimeSeconds?: number;
  /** Keep the lab directory after stop(); default only when MAILMIG_LAB_KEEP=1. */
  keepFiles?: boolean;
}

export interface Lab {
  info: LabInfo;
  stop(): Promise<void>;
}

export const DEFAULT_DESTINATION_MAX_MAIL_SIZE = 2 * 1024 * 1024;

/** Kills the processes of labs whose owner died without teardown (SIGKILLed runner) and removes them. */
async function reapAbandonedLabs(home: string): Promise<void> {
  const entries = await readdir(home, { withFileTypes: true }).catch(() => []);
  await Promise.all(entries.filter((e) => e.isDirectory()).map(async (e) => {
    const dir = join(home, e.name);
    const owner = await readFile(join(dir, 'owner.json'), 'utf8').then((t) => JSON.parse(t) as { pid: number; runDir?: string }, () => undefined);
    if (owner === undefined || isAlive(owner.pid)) return;
    const pids = (await readFile(join(dir, 'pids'), 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
    for (const pid of pids) {
      // Only groups whose leader still runs a command naming this lab directory (pid reuse).
      const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (cmd.includes(dir)) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    }
    await rm(dir, { recursive: true, force: true });
    if (owner.runDir?.startsWith(join(tmpdir(), 'mmlab-'))) await rm(owner.runDir, { recursive: true, force: true });
  }));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Starts Dovecot, retrying with new ports if one was taken between freePorts() and the bind. */
async function startDovecotWithRetry(
  name: ImapServerName,
  flavor: DovecotFlavor,
  common: { dir: string; runDir: string; tenantId: string; kid: string; publicKeyPem: string; tls: { certPath: string; keyPath: string; caPath: string }; pidFile: string },
  maxMailSizeBytes: number | undefined,
): Promise<DovecotInstance> {
  for (let attempt = 1; ; attempt++) {
    const [tls, starttls] = (await freePorts(2)) as [number, number];
    try {
      return await startDovecot({
        name,
        flavor,
        dir: join(common.dir, name),
        runDir: join(common.runDir, name === 'source' ? 'src' : 'dst'),
        ports: { tls, starttls },
        tls: common.tls,
        tenantId: common.tenantId,
        signing: { kid: common.kid, publicKeyPem: common.publicKeyPem },
        maxMailSizeBytes,
        maxConnectionsPerMailbox: flavor === 'exchange' ? 20 : 50,
        pidFile: common.pidFile,
      });
    } catch (err) {
      if (attempt >= 3 || !/Address already in use|another server answers/i.test((err as Error).message)) throw err;
    }
  }
}

/**
 * Dovecot's unprivileged processes (auth as `dovecot`, mail as `nobody`) must reach the lab's
 * keys, mailbox files and maildirs: every ancestor needs the "x" bit for others. A checkout in a
 * 0700 directory (`mktemp -d`) lacks it, and then the lab lives under the system temp dir.
 */
async function traversableByAll(path: string): Promise<boolean> {
  for (let p = path; ; p = dirname(p)) {
    const s = await stat(p).catch(() => undefined);
    if (s && (s.mode & 0o001) === 0) return false;
    if (dirname(p) === p) return true;
  }
}

export async function startLab(opts: StartLabOptions = {}): Promise<Lab> {
  assertLabAllowed('startLab()');
  const home = labHome();
  await mkdir(home, { recursive: true });
  await reapAbandonedLabs(home);
  const dir = opts.dir ?? ((await traversableByAll(home)) ? join(home, `lab-${randomBytes(4).toString('hex')}`) : await mkdtemp(join(tmpdir(), 'mailmig-lab-')));
  await mkdir(dir, { recursive: true });
  // Dovecot's auth processes (user dovecot) read the mailbox files and keys below this directory.
  await chmod(dir, 0o755);
  const pidFile = join(dir, 'pids');
  await writeFile(pidFile, '');
  const runDir = await mkdtemp(join(tmpdir(), 'mmlab-'));
  await chmod(runDir, 0o755);
  await writeFile(join(dir, 'owner.json'), JSON.stringify({ pid: process.pid, dir, runDir }));
  const watchdog = startWatchdog(pidFile, runDir);

  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(cleanups.reverse().map((c) => c()));
    watchdog.stop();
    await rm(runDir, { recursive: true, force: true });
  };

  try {
    const [tlsFiles, certApp, signing, untrusted] = await Promise.all([
      ensureSharedTls(join(home, 'ca')),
      makeClientCertificate(join(dir, 'certs'), 'mailmig-migration-cert'),
      makeRsaKeyPair(),
      makeRsaKeyPair(),
    ]);
    const caPath = join(dir, 'ca.pem');
    await copyFile(tlsFiles.caCertPath, caPath);
    const tls = { cert: await readFile(tlsFiles.serverCertPath, 'utf8'), key: await readFile(tlsFiles.serverKeyPath, 'utf8') };
    const keysDir = join(dir, 'keys');
    await mkdir(keysDir, { recursive: true });
    const signingKeyPath = join(keysDir, 'entra-signing.key');
    const signingPublicKeyPath = join(keysDir, 'entra-signing.pub');
    const untrustedKeyPath = join(keysDir, 'untrusted.key');
    await Promise.all([
      writeFile(signingKeyPath, signing.privateKeyPem, { mode: 0o600 }),
      writeFile(signingPublicKeyPath, signing.publicKeyPem),
      writeFile(untrustedKeyPath, untrusted.privateKeyPem, { mode: 0o600 }),
    ]);
    // Entra's kid is the base64url SHA-1 thumbprint of the signing certificate; ours hashes the key.
    const kid = createHash('sha1').update(createPublicKey(signing.publicKeyPem).export({ type: 'spki', format: 'der' })).digest('base64url');

    const tenantId = randomUUID();
    const migration = { clientId: randomUUID(), displayName: 'mailmig-migration', clientSecret: newClientSecret() };
    const vaultReader = { clientId: randomUUID(), displayName: 'mailmig-vault-reader', clientSecret: newClientSecret() };
    const certClientId = randomUUID();
    const imapRoles = { [OUTLOOK_RESOURCE]: [IMAP_ROLE] };

    const entra: EntraServer = await startEntra({
      tenantId,
      tls,
      signingKeyPem: signing.privateKeyPem,
      untrustedKeyPem: untrusted.privateKeyPem,
      kid,
      defaultExpiresInSeconds: opts.tokenLifetimeSeconds ?? 3599,
      apps: [
        { clientId: migration.clientId, displayName: migration.displayName, secret: migration.clientSecret, roles: imapRoles },
        { clientId: certClientId, displayName: 'mailmig-migration-cert', certificate: { certPem: certApp.certPem }, roles: imapRoles },
        { clientId: vaultReader.clientId, displayName: vaultReader.displayName, secret: vaultReader.clientSecret, roles: {} },
      ],
    });
    cleanups.push(() => entra.stop());

    const secretNames = {
      sourceClientSecret: 'source-client-secret',
      destinationClientSecret: 'destination-client-secret',
      sourceClientCert: 'source-client-cert',
      destinationClientCert: 'destination-client-cert',
    };
    const certPem = await readFile(certApp.pemPath, 'utf8');
    const common = { dir, runDir, tenantId, kid, publicKeyPem: signing.publicKeyPem, tls: { certPath: tlsFiles.serverCertPath, keyPath: tlsFiles.serverKeyPath, caPath: tlsFiles.caCertPath }, pidFile };
    // allSettled, not all: a piece that fails must not leave the others running unseen.
    const started = await Promise.allSettled([
      startKeyVault({
        tenantId,
        tls,
        authorityHost: entra.authorityHost,
        tokenSigning: { publicKeyPem: signing.publicKeyPem, kid },
        allowedClientIds: [vaultReader.clientId, migration.clientId, certClientId],
        secrets: [
          { name: secretNames.sourceClientSecret, value: migration.clientSecret },
          { name: secretNames.destinationClientSecret, value: migration.clientSecret },
          { name: secretNames.sourceClientCert, value: certPem, contentType: 'application/x-pem-file', certificate: true },
          { name: secretNames.destinationClientCert, value: certPem, contentType: 'application/x-pem-file', certificate: true },
        ],
      }),
      startDovecotWithRetry('source', 'exchange', common, opts.sourceMaxMailSizeBytes),
      startDovecotWithRetry('destination', 'standard', common, opts.destinationMaxMailSizeBytes ?? DEFAULT_DESTINATION_MAX_MAIL_SIZE),
      startAzurite({ location: join(dir, 'azurite'), pidFile }),
    ] as const);
    const [vaultR, sourceR, destinationR, azuriteR] = started;
    if (vaultR.status === 'fulfilled') cleanups.push(() => vaultR.value.stop());
    for (const r of [sourceR, destinationR, azuriteR]) {
      if (r.status === 'fulfilled') cleanups.push(() => r.value.process.stop());
    }
    if (vaultR.status === 'rejected' || sourceR.status === 'rejected' || destinationR.status === 'rejected' || azuriteR.status === 'rejected') {
      const reasons = started.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as Error).message);
      throw new Error(`the lab did not start:\n${reasons.join('\n\n')}`);
    }
    const [vault, source, destination, azurite] = [vaultR.value, sourceR.value, destinationR.value, azuriteR.value];

    const authority = `${entra.authorityHost}/${tenantId}`;
    const info: LabInfo = {
      version: 1,
      dir,
      ownerPid: process.pid,
      startedAt: new Date().toISOString(),
      caPath,
      tenantId,
      entra: {
        port: entra.port,
        authorityHost: entra.authorityHost,
        authority,
        tokenEndpoint: entra.tokenEndpoint,
        openIdConfigurationUrl: `${authority}/v2.0/.well-known/openid-configuration`,
        controlUrl: `${entra.authorityHost}/_lab`,
        signingKid: kid,
        signingKeyPath,
        signingPublicKeyPath,
        untrustedKeyPath,
        clients: {
          migration,
          certificate: {
            clientId: certClientId,
            displayName: 'mailmig-migration-cert',
            certPath: certApp.certPath,
            keyPath: certApp.keyPath,
            pemPath: certApp.pemPath,
            thumbprintSha1: certApp.thumbprintSha1,
            thumbprintSha256: certApp.thumbprintSha256,
            x5c: certApp.x5c,
          },
          vaultReader,
        },
      },
      keyVault: { port: vault.port, url: vault.url, controlUrl: `${vault.url}/_lab`, secrets: secretNames },
      imap: { source: source.info, destination: destination.info },
      azurite: azurite.info,
      clients: {
        msal: {
          authority,
          knownAuthorities: [new URL(entra.authorityHost).host],
          authorityMetadata: JSON.stringify(entra.openIdConfiguration),
        },
        secretClient: { vaultUrl: vault.url, options: { disableChallengeResourceVerification: true } },
        credential: {
          tenantId,
          clientId: vaultReader.clientId,
          clientSecret: vaultReader.clientSecret,
          options: { authorityHost: entra.authorityHost, disableInstanceDiscovery: true },
        },
      },
    };
    await writeFile(join(dir, 'lab-info.json'), JSON.stringify(info, null, 2));

    const keep = opts.keepFiles ?? process.env.MAILMIG_LAB_KEEP === '1';
    let stopped: Promise<void> | undefined;
    return {
      info,
      stop(): Promise<void> {
        stopped ??= (async () => {
          await stopAll();
          if (!keep && existsSync(dir)) await rm(dir, { recursive: true, force: true });
        })();
        return stopped;
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
