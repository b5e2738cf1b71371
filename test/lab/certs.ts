import { execFile } from 'node:child_process';
import { X509Certificate, createHash, generateKeyPair, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`openssl ${args[0] ?? ''} failed: ${e.stderr ?? e.message}`, { cause: err });
  }
}

/** CA + the TLS server certificate (CN localhost, SAN localhost and 127.0.0.1) all lab servers use. */
export interface TlsFiles {
  caCertPath: string;
  serverCertPath: string;
  serverKeyPath: string;
}

const VALID_DAYS = 30;

function tlsFiles(dir: string): TlsFiles {
  return { caCertPath: join(dir, 'ca.pem'), serverCertPath: join(dir, 'server.pem'), serverKeyPath: join(dir, 'server.key') };
}

async function stillValid(files: TlsFiles): Promise<boolean> {
  if (!Object.values(files).every((p) => existsSync(p))) return false;
  try {
    const cert = new X509Certificate(await readFile(files.serverCertPath));
    return Date.parse(cert.validTo) - Date.now() > 24 * 3600 * 1000;
  } catch {
    return false;
  }
}

async function generateTls(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', String(VALID_DAYS),
    '-subj', '/CN=mailmig lab CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  await writeFile(join(dir, 'server.ext'), [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '',
  ].join('\n'));
  await openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', `0x${randomBytes(8).toString('hex')}`,
    '-days', String(VALID_DAYS), '-extfile', 'server.ext', '-out', 'server.pem'], dir);
}

/**
 * The CA is shared by every lab started from this tree (kept in `.lab/ca/`, valid 30 days) rather
 * than made per lab: NODE_EXTRA_CA_CERTS is read once when a Node process starts, so a test worker
 * can only ever trust the CA that existed when it was forked. Sharing it lets a test start a
 * private lab (startLab in a worker) whose servers that worker still trusts.
 * Concurrent first runs each build a candidate directory and rename it into place; the loser
 * keeps the winner's files.
 */
export async function ensureSharedTls(caDir: string): Promise<TlsFiles> {
  const files = tlsFiles(caDir);
  if (await stillValid(files)) return files;
  const tmp = `${caDir}.tmp-${randomBytes(4).toString('hex')}`;
  await generateTls(tmp);
  if (existsSync(caDir) && !(await stillValid(files))) {
    await rename(caDir, `${caDir}.old-${randomBytes(4).toString('hex')}`).catch(() => undefined);
  }
  try {
    await rename(tmp, caDir);
  } catch {
    await rm(tmp, { recursive: true, force: true });
    if (!(await stillValid(files))) throw new Error(`could not install the lab CA in ${caDir}`);
  }
  return files;
}

/** An app registration's certificate credential, as Entra and MSAL see it. */
export interface ClientCertificate {
  certPath: string;
  keyPath: string;
  /** Private key + certificate in one PEM: what Key Vault returns for a certificate's secret. */
  pemPath: string;
  certPem: string;
  keyPem: string;
  /** Hex SHA-1 of the DER certificate (MSAL `thumbprint`, JWT header `x5t`). */
  thumbprintSha1: string;
  /** Hex SHA-256 of the DER certificate (MSAL `thumbprintSha256`, JWT header `x5t#S256`). */
  thumbprintSha256: string;
  /** Base64 DER, the `x5c` entry. */
  x5c: string;
}

/** A self-signed certificate for a client credential, like `New-SelfSignedCertificate` + upload. */
export async function makeClientCertificate(dir: string, name: string): Promise<ClientCertificate> {
  await mkdir(dir, { recursive: true });
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  const pemPath = join(dir, `${name}.pem`);
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', String(VALID_DAYS), '-subj', `/CN=${name}`], dir);
  const [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  await writeFile(pemPath, `${keyPem.trimEnd()}\n${certPem.trimEnd()}\n`);
  const der = new X509Certificate(certPem).raw;
  return {
    certPath,
    keyPath,
    pemPath,
    certPem,
    keyPem,
    thumbprintSha1: createHash('sha1').update(der).digest('hex').toUpperCase(),
    thumbprintSha256: createHash('sha256').update(der).digest('hex').toUpperCase(),
    x5c: der.toString('base64'),
  };
}

/** An RSA key pair in PEM (PKCS#8 / SPKI), e.g. the token signing key. */
export async function makeRsaKeyPair(): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}
