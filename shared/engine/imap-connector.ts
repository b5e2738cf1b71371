import type { Settings, SideSettings } from '../config/settings.js';
import { AppTokenProvider } from '../adapters/auth/token-provider.js';
import type { ImapSession } from '../adapters/imap/imap-session.js';
import type { ImapAuth, ImapSite } from '../contracts/imap.js';
import type { SecretStore } from '../adapters/secrets/secret-store.js';

/** Key Vault secret names allow letters, digits and '-': every other character becomes '-'. */
export function passwordSecretName(template: string, mailbox: string): string {
  return template.replace('{mailbox}', mailbox.toLowerCase().replace(/[^a-z0-9]/g, '-'));
}

export interface OpenedSession {
  session: ImapSession;
  /** When the credential behind this session stops being valid (Infinity for passwords). */
  expiresOnMs: number;
}

/** Opens authenticated IMAP sessions for a mailbox on either side. */
export class ImapConnector {
  private readonly tokens: Record<ImapSite, AppTokenProvider>;

  constructor(
    readonly settings: Settings,
    private readonly secrets: SecretStore,
  ) {
    this.tokens = {
      source: new AppTokenProvider(settings.source, secrets),
      destination: new AppTokenProvider(settings.destination, secrets),
    };
  }

  side(site: ImapSite): SideSettings {
    return site === 'source' ? this.settings.source : this.settings.destination;
  }

  tokenProvider(site: ImapSite): AppTokenProvider {
    return this.tokens[site];
  }

  async auth(site: ImapSite, mailbox: string): Promise<{ auth: ImapAuth; expiresOnMs: number }> {
    const side = this.side(site);
    if (side.auth === 'password') {
      const pass = await this.secrets.getSecret(passwordSecretName(side.passwordSecretTemplate ?? '', mailbox));
      return { auth: { user: mailbox, pass }, expiresOnMs: Number.POSITIVE_INFINITY };
    }
    const t = await this.tokens[site].getToken();
    return { auth: { user: mailbox, accessToken: t.token }, expiresOnMs: t.expiresOnMs };
  }

  async open(site: ImapSite, mailbox: string): Promise<OpenedSession> {
    const { auth, expiresOnMs } = await this.auth(site, mailbox);
    // imapflow is loaded on first use: a pass that runs on raw connections only never needs it.
    const { ImapSession: Session } = await import('../adapters/imap/imap-session.js');
    const session = await Session.open(this.side(site), auth, site, { responseTimeoutMs: this.settings.imapResponseTimeoutMs });
    return { session, expiresOnMs };
  }
}
