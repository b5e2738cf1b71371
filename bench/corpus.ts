import { createHash } from 'node:crypto';
import { prng, rfc5322Date } from '../test/lab/corpus.js';

export { prng };
import type { SeedFolder, SeedMessage } from '../test/lab/seed.js';

/**
 * The bench corpus: per mailbox five folders (one nested), message sizes drawn from the mix in
 * TEST-INFRA.md (70% 2–10 KB, 25% 20–200 KB, 5% 1–5 MB), deterministic for a given seed.
 * Bodies are cut from one pre-generated block of text lines, so 500 MB are made in about a
 * second instead of word by word.
 */

export const BENCH_FOLDERS = ['INBOX', 'Archive', 'Projects', 'Projects/2024', 'Newsletters'] as const;

const KB = 1024;
const MB = 1024 * 1024;

export function drawSize(rnd: () => number): number {
  const u = rnd();
  const between = (lo: number, hi: number): number => Math.floor(lo + rnd() * (hi - lo));
  if (u < 0.7) return between(2 * KB, 10 * KB);
  if (u < 0.95) return between(20 * KB, 200 * KB);
  return between(1 * MB, 5 * MB);
}

const LINE = 78; // 76 characters + CRLF, as base64 bodies and most mailers wrap
const BLOCK_LINES = 16_384;

/** 1.2 MB of distinct 76-character lines, made once. */
const block: Buffer = (() => {
  const rnd = prng('bench-block');
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789    ';
  const buf = Buffer.alloc(BLOCK_LINES * LINE);
  for (let l = 0; l < BLOCK_LINES; l++) {
    for (let c = 0; c < 76; c++) buf[l * LINE + c] = alphabet.charCodeAt(Math.floor(rnd() * alphabet.length));
    buf[l * LINE + 76] = 13;
    buf[l * LINE + 77] = 10;
  }
  return buf;
})();

/** A body of whole lines, about `bytes` long, starting at a line chosen by `start`. */
function body(bytes: number, start: number): Buffer {
  const lines = Math.max(1, Math.floor(bytes / LINE));
  const out = Buffer.allocUnsafe(lines * LINE);
  let from = (start % BLOCK_LINES) * LINE;
  for (let at = 0; at < out.length; ) {
    const n = Math.min(out.length - at, block.length - from);
    block.copy(out, at, from, from + n);
    at += n;
    from = 0;
  }
  return out;
}

/** One RFC 5322 message of about `size` bytes; `id` makes it unique (Message-ID and first body line). */
export function benchMessage(size: number, id: string, date: Date): Buffer {
  const head = Buffer.from(
    [
      `Date: ${rfc5322Date(date)}`,
      'From: Bench Sender <sender@bench.example>',
      'To: Bench Recipient <recipient@bench.example>',
      `Subject: bench ${id}`,
      `Message-ID: <${id}@bench.example>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      `message ${id}`,
      '',
    ].join('\r\n'),
  );
  const start = createHash('sha256').update(id).digest().readUInt32LE(0);
  return Buffer.concat([head, body(size - head.length, start)]);
}

/** The folders of mailbox `index`, `perMailbox` messages spread over BENCH_FOLDERS. */
export function benchMailbox(index: number, perMailbox: number, seed: string): SeedFolder[] {
  const rnd = prng(`${seed}-${index}`);
  const folders = BENCH_FOLDERS.map((path) => ({ path, messages: [] as SeedMessage[] }));
  for (let i = 0; i < perMailbox; i++) {
    const date = new Date(Date.UTC(2022, 0, 1) + (index * 100_000 + i) * 3_600_000);
    const u = rnd();
    folders[i % folders.length]!.messages.push({
      raw: benchMessage(drawSize(rnd), `${seed}-${index}-${i}`, date),
      flags: u < 0.7 ? ['\\Seen'] : u < 0.8 ? ['\\Seen', '\\Flagged'] : [],
      internalDate: new Date(date.getTime() + 90_000),
    });
  }
  return folders;
}

export function corpusBytes(folders: SeedFolder[]): number {
  return folders.reduce((n, f) => n + f.messages.reduce((m, x) => m + x.raw.length, 0), 0);
}
