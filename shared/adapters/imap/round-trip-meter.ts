import type { ImapSite } from '../../contracts/imap.js';

/**
 * The round trip to each side's server, as this process has seen it: the shortest TCP connect
 * (SYN to SYN-ACK, one round trip and no server work) of any connection it opened. The shortest,
 * because a busy event loop only ever makes one look longer.
 */
export class RoundTripMeter {
  private readonly best = new Map<ImapSite, number>();

  observe(site: ImapSite, ms: number): void {
    this.best.set(site, Math.min(ms, this.best.get(site) ?? Number.POSITIVE_INFINITY));
  }

  /** Undefined until a connection to that side was made. */
  roundTripMs(site: ImapSite): number | undefined {
    return this.best.get(site);
  }
}
