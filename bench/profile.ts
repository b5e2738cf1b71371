import { readFile } from 'node:fs/promises';
import { FaultProxy, labServerTls, type ProxyStats } from '../test/lab/fault-proxy.js';
import type { LabInfo } from '../test/lab/lab-info.js';

/**
 * Where the time goes, on the wire: the same copy run through two fault proxies (no faults)
 * that count the IMAP commands each tool sends per message, the sessions it opens and how many
 * commands it keeps in flight on one connection (1 = one round trip per command).
 */

export interface WireProfile {
  messages: number;
  connections: { source: number; destination: number };
  commandsPerMessage: number;
  /** Commands of both sides by name. */
  commands: Record<string, number>;
  maxInFlight: { source: number; destination: number };
  /** Milliseconds from command to tagged reply, summed per command (what a tool without pipelining waits for). */
  waitMs: Record<string, number>;
  /** Destination APPEND command-to-reply time by message size: count and mean ms. */
  appendBySize: Record<string, { count: number; meanMs: number }>;
  wallMs: number;
}

/** Literal size announced at the end of an APPEND's first line ({n} or {n+}). */
const literalSize = (args: string): number => Number(/\{(\d+)\+?\}$/.exec(args)?.[1] ?? 0);
const sizeClass = (n: number): string => (n < 4096 ? '< 4 KB' : n < 16_384 ? '4-16 KB' : n < 262_144 ? '16-256 KB' : '>= 256 KB');

function appendLatency(p: FaultProxy): Record<string, { count: number; meanMs: number }> {
  const acc: Record<string, { count: number; total: number }> = {};
  for (const c of p.commands) {
    if (c.name !== 'APPEND' || c.doneAt === undefined) continue;
    const k = sizeClass(literalSize(c.args));
    acc[k] = { count: (acc[k]?.count ?? 0) + 1, total: (acc[k]?.total ?? 0) + (c.doneAt - c.at) };
  }
  return Object.fromEntries(Object.entries(acc).map(([k, v]) => [k, { count: v.count, meanMs: Math.round((v.total / v.count) * 10) / 10 }]));
}

/** A proxy (no faults) in front of each of the bench's servers, presenting the lab's certificate. */
export async function countingProxies(lab: LabInfo, ports: { source: number; destination: number }): Promise<[FaultProxy, FaultProxy]> {
  const files = await labServerTls(lab, 'destination');
  const tls = { cert: await readFile(files.certPath, 'utf8'), key: await readFile(files.keyPath, 'utf8'), ca: await readFile(lab.caPath, 'utf8') };
  const start = (port: number): Promise<FaultProxy> => FaultProxy.start({ target: { host: '127.0.0.1', port, servername: 'localhost' }, tls });
  return Promise.all([start(ports.source), start(ports.destination)]);
}

export async function throughProxies(lab: LabInfo, ports: { source: number; destination: number }, copy: (ports: { source: number; destination: number }) => Promise<void>, messages: number): Promise<WireProfile> {
  const [src, dst] = await countingProxies(lab, ports);
  try {
    const started = Date.now();
    await copy({ source: src.port, destination: dst.port });
    const wallMs = Date.now() - started;
    const waitMs: Record<string, number> = {};
    for (const [side, p] of [['src', src], ['dst', dst]] as const) {
      for (const c of p.commands) if (c.doneAt !== undefined) waitMs[`${side} ${c.name}`] = (waitMs[`${side} ${c.name}`] ?? 0) + (c.doneAt - c.at);
    }
    const s: ProxyStats = src.stats();
    const d: ProxyStats = dst.stats();
    const commands: Record<string, number> = {};
    for (const [k, v] of [...Object.entries(s.commands).map(([k, v]) => [`src ${k}`, v] as const), ...Object.entries(d.commands).map(([k, v]) => [`dst ${k}`, v] as const)]) commands[k] = v;
    const total = Object.values(commands).reduce((a, b) => a + b, 0);
    return {
      messages,
      connections: { source: s.connections, destination: d.connections },
      commandsPerMessage: Math.round((total / Math.max(1, messages)) * 100) / 100,
      commands,
      maxInFlight: { source: s.maxInFlight, destination: d.maxInFlight },
      waitMs,
      appendBySize: appendLatency(dst),
      wallMs,
    };
  } finally {
    await Promise.all([src.stop(), dst.stop()]);
  }
}

export function describeProfile(tool: string, p: WireProfile): string {
  const top = Object.entries(p.commands).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
  const waits = Object.entries(p.waitMs).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k} ${v} ms`).join(', ');
  const appends = Object.entries(p.appendBySize).map(([k, v]) => `${k}: ${v.count} x ${v.meanMs} ms`).join(', ');
  return `${tool}: ${p.commandsPerMessage} commands/message for ${p.messages} messages in ${p.wallMs} ms; sessions src ${p.connections.source} / dst ${p.connections.destination}; most commands in flight on one connection src ${p.maxInFlight.source} / dst ${p.maxInFlight.destination}\n  commands: ${top}\n  command-to-reply time summed: ${waits}${appends ? `\n  APPEND command-to-reply by size: ${appends}` : ''}`;
}
