import { readFileSync } from 'node:fs';
import { currentLabInfoPath } from './paths.js';

/**
 * What a running lab publishes to test files (JSON, written by global-setup). Everything here is
 * test-only: the secrets are random per lab and die with it.
 */

export type ImapServerName = 'source' | 'destination';

export interface ImapServerInfo {
  name: ImapServerName;
  host: string;
  /** Implicit TLS (IMAPS). */
  tlsPort: number;
  /** Plain IMAP that must be upgraded with STARTTLS before login. */
  starttlsPort: number;
  /** SASL mechanisms offered: source ['XOAUTH2'] (Exchange-like), destination adds PLAIN and LOGIN. */
  mechanisms: string[];
  /**
   * Dovecot's mailbox list, one small JSON file per mailbox (dict passdb/userdb, see
   * mailboxes.ts): passdb/<address> = the grant the lab app needs to open it (no file = no
   * FullAccess), userdb/<address> = quota, password/<address> = PLAIN/LOGIN password.
   */
  mailboxesDir: string;
  /** PLAIN/LOGIN offered (destination). */
  passwordLogin: boolean;
  mailDir: string;
  logPath: string;
  configPath: string;
  /** quota_max_mail_size; undefined = no limit. */
  maxMailSizeBytes?: number;
  /** Quota plugin loaded: per-mailbox quotas work (always on the destination). */
  quota: boolean;
  /** Folder name -> special-use attribute configured on this server (auto-created on first login). */
  specialUse: Record<string, string>;
}

export interface LabClientSecretApp {
  clientId: string;
  displayName: string;
  clientSecret: string;
}

export interface LabClientCertificateApp {
  clientId: string;
  displayName: string;
  certPath: string;
  keyPath: string;
  /** Private key + certificate, as Key Vault returns a certificate's secret. */
  pemPath: string;
  thumbprintSha1: string;
  thumbprintSha256: string;
  x5c: string;
}

export interface LabInfo {
  version: 1;
  dir: string;
  ownerPid: number;
  startedAt: string;
  /** The lab CA (also in NODE_EXTRA_CA_CERTS of test workers). */
  caPath: string;
  tenantId: string;
  entra: {
    port: number;
    /** `https://127.0.0.1:<port>`: the AUTHORITY_HOST setting and AZURE_AUTHORITY_HOST. */
    authorityHost: string;
    /** `<authorityHost>/<tenantId>` */
    authority: string;
    tokenEndpoint: string;
    openIdConfigurationUrl: string;
    /** Base of the control API (`/_lab/...`), see control.ts. */
    controlUrl: string;
    signingKid: string;
    signingKeyPath: string;
    signingPublicKeyPath: string;
    /** A key no lab server trusts, for "wrong key" tokens. */
    untrustedKeyPath: string;
    clients: {
      /** The migration app: client secret, IMAP.AccessAsApp. */
      migration: LabClientSecretApp;
      /** A second migration app with a certificate credential, IMAP.AccessAsApp. */
      certificate: LabClientCertificateApp;
      /** Reads Key Vault (AZURE_CLIENT_ID / AZURE_CLIENT_SECRET). */
      vaultReader: LabClientSecretApp;
    };
  };
  keyVault: {
    port: number;
    url: string;
    controlUrl: string;
    /** Names of the pre-seeded secrets. */
    secrets: {
      sourceClientSecret: string;
      destinationClientSecret: string;
      sourceClientCert: string;
      destinationClientCert: string;
    };
  };
  imap: Record<ImapServerName, ImapServerInfo>;
  azurite: {
    blobPort: number;
    queuePort: number;
    tablePort: number;
    connectionString: string;
    location: string;
  };
  /** Client options proven by lab.test.ts; the engine's adapters copy these. */
  clients: {
    /** `new ConfidentialClientApplication({ auth: { clientId, authority, knownAuthorities, authorityMetadata, clientSecret | clientCertificate } })` */
    msal: { authority: string; knownAuthorities: string[]; authorityMetadata: string };
    /** `new SecretClient(vaultUrl, credential, options)` */
    secretClient: { vaultUrl: string; options: { disableChallengeResourceVerification: boolean } };
    /** `new ClientSecretCredential(tenantId, clientId, clientSecret, options)` */
    credential: { tenantId: string; clientId: string; clientSecret: string; options: { authorityHost: string; disableInstanceDiscovery: boolean } };
  };
}

let cached: { path: string; info: LabInfo } | undefined;

/**
 * vitest.config.ts sets MAILMIG_NO_LAB in the `unit` project, which starts no lab. Without this
 * check a unit test reaching for the lab would read a stale `.lab/current.json` from another run,
 * or start servers of its own: it fails at once instead, saying how to become a lab test.
 */
export function assertLabAllowed(what: string): void {
  const project = process.env.MAILMIG_NO_LAB;
  if (project === undefined || project === '') return;
  throw new Error(`${what} in the vitest project "${project}", which has no lab: a test file that uses the lab must be named *.lab.test.ts (or *.e2e.test.ts) so it runs in the "lab" project (see test/lab/README.md)`);
}

/**
 * The running lab, for test files. MAILMIG_LAB_INFO (set by global-setup, inherited by the
 * workers) names this run's own file, so two test runs in one tree never read each other's lab;
 * `.lab/current.json` is the fallback for tools started by hand.
 */
export function getLab(): LabInfo {
  assertLabAllowed('getLab()');
  const path = process.env.MAILMIG_LAB_INFO ?? currentLabInfoPath();
  if (cached?.path === path) return cached.info;
  let info: LabInfo;
  try {
    info = JSON.parse(readFileSync(path, 'utf8')) as LabInfo;
  } catch (err) {
    throw new Error(`no running lab: cannot read ${path} (${(err as Error).message}); run the tests through vitest so test/lab/global-setup.ts starts it`, { cause: err });
  }
  cached = { path, info };
  return info;
}

/**
 * Settings for the project's schema (shared/config/schema.ts) pointing at this lab: both sides
 * oauth2-app with the migration app's secret from the lab Key Vault, implicit TLS. Also the
 * standard Azure variables (AZURE_*) the engine's Key Vault credential reads. `overrides` win;
 * an override with an empty string removes nothing (the schema treats "" as unset).
 */
export function labSettings(info: LabInfo, overrides: Record<string, string> = {}): Record<string, string> {
  const side = (prefix: 'SOURCE' | 'DESTINATION', s: ImapServerInfo, secretName: string): Record<string, string> => ({
    [`${prefix}_IMAP_HOST`]: s.host,
    [`${prefix}_IMAP_PORT`]: String(s.tlsPort),
    [`${prefix}_IMAP_TLS`]: 'implicit',
    [`${prefix}_AUTH`]: 'oauth2-app',
    [`${prefix}_TENANT_ID`]: info.tenantId,
    [`${prefix}_CLIENT_ID`]: info.entra.clients.migration.clientId,
    [`${prefix}_AUTHORITY_HOST`]: info.entra.authorityHost,
    [`${prefix}_TOKEN_SCOPE`]: 'https://outlook.office365.com/.default',
    [`${prefix}_CLIENT_SECRET_NAME`]: secretName,
  });
  const settings: Record<string, string> = {
    ...side('SOURCE', info.imap.source, info.keyVault.secrets.sourceClientSecret),
    ...side('DESTINATION', info.imap.destination, info.keyVault.secrets.destinationClientSecret),
    KEY_VAULT_URL: info.keyVault.url,
    STORAGE_CONNECTION_STRING: info.azurite.connectionString,
    AZURE_TENANT_ID: info.tenantId,
    AZURE_CLIENT_ID: info.entra.clients.vaultReader.clientId,
    AZURE_CLIENT_SECRET: info.entra.clients.vaultReader.clientSecret,
    AZURE_AUTHORITY_HOST: info.entra.authorityHost,
  };
  const maxBytes = info.imap.destination.maxMailSizeBytes;
  if (maxBytes !== undefined) settings.MAX_MESSAGE_BYTES = String(maxBytes);
  return { ...settings, ...overrides };
}
