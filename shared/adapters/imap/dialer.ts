import type { Settings, SideSettings } from '../../config/settings.js';
import type { ImapAuth, ImapSite } from '../../contracts/imap.js';
import type { ImapLogins, Leased } from '../../contracts/imap-ports.js';
import { addressKey } from '../../contracts/mailbox-pair.js';
import { passwordSecretName } from '../../domain/secrets/password-secret-name.js';
import { AppTokenProvider, type AccessToken } from '../auth/token-provider.js';
import { firstContactCode } from '../../errors/first-contact.js';
import { MigrationError } from '../../errors/migration-error.js';
import { ServiceAccountTokens } from '../auth/service-account-tokens.js';
import { DelegatedTokens } from '../auth/delegated-tokens.js';
import type { TokenCacheStore } from '../auth/token-cache-store.js';
import type { SecretStore } from '../../contracts/secret-store.js';
import type { ImapSession } from './imap-session.js';
import { PipelinedAppender } from './pipelined-appender.js';
import { RawFolderSession } from './raw-folder-session.js';
import { RoundTripMeter } from './round-trip-meter.js';

/**
 * Opens authenticated IMAP connections for a mailbox on either side, and chooses their kind:
 * a raw connection where the server allows one (implicit TLS, SASL-IR), a pipelining appender
 * where it also offers LITERAL+ and UIDPLUS, else an imapflow session. What a server refused is
 * remembered, so it is asked once, not per range. Credentials: app-only tokens through
 * AppTokenProvider (MSAL's cache), passwords from the SecretStore.
 */
export class ImapDialer implements ImapLogins {
  private readonly tokens: Record<ImapSite, AppTokenProvider>;
  private readonly delegated: Record<ImapSite, ServiceAccountTokens>;
  private readonly consented?: Record<ImapSite, DelegatedTokens>;
  /** Sides whose server refused a raw connection: it refuses them for every mailbox. */
  private readonly noRaw = new Set<ImapSite>();
  /** Destination mailboxes whose connection could not pipeline APPENDs (lower-cased). */
  private readonly noPipelining = new Set<string>();
  /** Sides some connection of this process has reached: a refusal after that is a blip, not a wrong setting. */
  private readonly reached = new Set<ImapSite>();
  private readonly meter = new RoundTripMeter();

  constructor(
    readonly settings: Settings,
    private readonly secrets: SecretStore,
    tokenCaches?: TokenCacheStore,
    consentHint?: (site: ImapSite, mailbox: string) => string,
  ) {
    this.tokens = {
      source: new AppTokenProvider(settings.source, secrets, 'source'),
      destination: new AppTokenProvider(settings.destination, secrets, 'destination'),
    };
    this.delegated = {
      source: new ServiceAccountTokens(settings.source, secrets, 'source'),
      destination: new ServiceAccountTokens(settings.destination, secrets, 'destination'),
    };
    if (tokenCaches) {
      this.consented = {
        source: new DelegatedTokens(settings.source, tokenCaches, 'source', consentHint),
        destination: new DelegatedTokens(settings.destination, tokenCaches, 'destination', consentHint),
      };
    }
  }

  side(site: ImapSite): SideSettings {
    return site === 'source' ? this.settings.source : this.settings.destination;
  }

  /** The side's app-only token (preflight reads its claims; the logins use the same cache). */
  token(site: ImapSite): Promise<AccessToken> {
    return this.tokens[site].getToken();
  }

  mailboxToken(site: ImapSite, mailbox: string): Promise<AccessToken> {
    if (this.side(site).auth === 'oauth2-delegated') return this.consentedTokens(site).getToken(mailbox);
    return this.delegated[site].getToken(mailbox);
  }

  /** oauth2-delegated: the owner's consent for one mailbox (device code flow; `show` gets the URL and code). */
  login(site: ImapSite, mailbox: string, show: (message: string) => void): Promise<void> {
    return this.consentedTokens(site).login(mailbox, show);
  }

  /** oauth2-delegated in the app: the owner's sign-in URL (authorization code with PKCE). */
  consentUrl(site: ImapSite, mailbox: string, p: { redirectUri: string; challenge: string; state: string }): Promise<string> {
    return this.consentedTokens(site).authorizeUrl(mailbox, p);
  }

  /** oauth2-delegated in the app: redeems the code the owner's sign-in brought back. */
  redeemConsent(site: ImapSite, mailbox: string, p: { code: string; verifier: string; redirectUri: string }): Promise<void> {
    return this.consentedTokens(site).redeemCode(mailbox, p);
  }

  private consentedTokens(site: ImapSite): DelegatedTokens {
    if (!this.consented) throw new MigrationError('SETTINGS_INVALID', 'permanent', 'oauth2-delegated needs a token cache store, which this driver does not configure');
    return this.consented[site];
  }

  async auth(site: ImapSite, mailbox: string): Promise<{ auth: ImapAuth; expiresOnMs: number }> {
    const side = this.side(site);
    if (side.auth === 'password') {
      const pass = await this.secrets.getSecret(passwordSecretName(side.passwordSecretTemplate ?? '', mailbox));
      return { auth: { user: mailbox, pass }, expiresOnMs: Number.POSITIVE_INFINITY };
    }
    // A service account's token names one mailbox (sub): each mailbox has its own.
    const t = side.auth === 'google-service-account' || side.auth === 'oauth2-delegated' ? await this.mailboxToken(site, mailbox) : await this.tokens[site].getToken();
    return { auth: { user: mailbox, accessToken: t.token }, expiresOnMs: t.expiresOnMs };
  }

  /**
   * The side's credentials for a raw connection's login, asked for while the connection is made
   * (a token from the identity endpoint is round trips of its own). A failure is the caller's to
   * see once it awaits them, never an unhandled rejection meanwhile. `first(connecting)`: when
   * the connection fails, the credentials' own failure is the one reported, as when they were
   * asked for first (an unreachable token endpoint is not a wrong IMAP host).
   */
  private credentials(site: ImapSite, mailbox: string): { login: Promise<ImapAuth>; expiresOnMs: Promise<number>; first: <T>(connecting: Promise<T>) => Promise<T> } {
    const asked = this.auth(site, mailbox);
    const login = asked.then((c) => c.auth);
    const expiresOnMs = asked.then((c) => c.expiresOnMs);
    for (const p of [asked, login, expiresOnMs]) p.catch(() => undefined);
    const first = async <T>(connecting: Promise<T>): Promise<T> => {
      try {
        return await connecting;
      } catch (e) {
        await asked;
        throw e;
      }
    };
    return { login, expiresOnMs, first };
  }

  /** An imapflow session: every operation of the ports. */
  async open(site: ImapSite, mailbox: string): Promise<{ session: ImapSession; expiresOnMs: number }> {
    const { auth, expiresOnMs } = await this.auth(site, mailbox);
    // imapflow is loaded on first use: a pass that runs on raw connections only never needs it.
    const { ImapSession: Session } = await import('./imap-session.js');
    const session = await this.firstContact(site, () => Session.open(this.side(site), auth, site, { responseTimeoutMs: this.settings.imapResponseTimeoutMs }));
    return { session, expiresOnMs };
  }

  /** The shortest round trip seen to the side's server (round-trip-meter.ts); undefined before the first raw connection. */
  roundTripMs(site: ImapSite): number | undefined {
    return this.meter.roundTripMs(site);
  }

  /** False once the side's server refused a raw connection. */
  allowsRaw(site: ImapSite): boolean {
    return !this.noRaw.has(site);
  }

  /** A raw folder connection, or undefined when the server does not allow one (remembered). */
  async openRaw(site: ImapSite, mailbox: string): Promise<Leased<RawFolderSession> | undefined> {
    const credentials = this.credentials(site, mailbox);
    const opened = await credentials.first(this.firstContact(site, () => RawFolderSession.open(this.side(site), credentials.login, site, { responseTimeoutMs: this.settings.imapResponseTimeoutMs, onConnected: (ms) => this.meter.observe(site, ms) })));
    const expiresOnMs = await credentials.expiresOnMs;
    if (opened) return { item: opened, expiresOnMs };
    this.noRaw.add(site);
    return undefined;
  }

  /** False when APPENDs are not to be pipelined to this mailbox (settings, or its server refused). */
  allowsPipelining(mailbox: string): boolean {
    return this.settings.appendPipelineDepth !== 0 && !this.noPipelining.has(addressKey(mailbox));
  }

  /**
   * The connection that listed and created the destination's folders, carried on as the APPEND
   * pipeline (no second login); undefined, and `prepared` untouched, when its server cannot pipeline.
   */
  appenderOver(prepared: RawFolderSession): PipelinedAppender | undefined {
    if (!PipelinedAppender.canPipeline(prepared.serverCapabilities)) return undefined;
    return PipelinedAppender.over(prepared.detach(), prepared.serverCapabilities, { batchMessages: this.settings.appendBatchMessages });
  }

  /** The folder session an idle APPEND pipeline's connection becomes again (undefined: it is busy). */
  foldersOver(appender: PipelinedAppender): RawFolderSession | undefined {
    const conn = appender.detach();
    return conn ? RawFolderSession.over(conn, appender.serverCapabilities) : undefined;
  }

  /** A new pipelining connection, or undefined when the server cannot pipeline (remembered per mailbox). */
  async openAppender(mailbox: string): Promise<Leased<PipelinedAppender> | undefined> {
    const credentials = this.credentials('destination', mailbox);
    const appender = await credentials.first(this.firstContact('destination', () => PipelinedAppender.open(this.side('destination'), credentials.login, 'destination', { batchMessages: this.settings.appendBatchMessages, responseTimeoutMs: this.settings.imapResponseTimeoutMs, onConnected: (ms) => this.meter.observe('destination', ms) })));
    const expiresOnMs = await credentials.expiresOnMs;
    if (appender) return { item: appender, expiresOnMs };
    this.noPipelining.add(addressKey(mailbox));
    return undefined;
  }

  /**
   * A side whose host refuses connections or does not resolve before any connection of this
   * process reached it is mis-set (host, port), not briefly down: HOST_UNREACHABLE, permanent,
   * instead of a minute of retries per mailbox.
   */
  private async firstContact<T>(site: ImapSite, connect: () => Promise<T>): Promise<T> {
    try {
      const connected = await connect();
      this.reached.add(site);
      return connected;
    } catch (e) {
      const code = firstContactCode(e);
      if (this.reached.has(site) || code === undefined) throw e;
      const prefix = site.toUpperCase();
      throw new MigrationError('HOST_UNREACHABLE', 'permanent', `${site} IMAP: ${code} at the first contact. Check ${prefix}_IMAP_HOST and ${prefix}_IMAP_PORT.`, { cause: e });
    }
  }
}
