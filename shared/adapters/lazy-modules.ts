import { createRequire } from 'node:module';
import type Iconv from 'iconv-lite';
import type Libmime from 'libmime';

/**
 * Character-set libraries loaded on first use (together ~35 ms of a process's start): most
 * passes never meet a non-ASCII folder name or an Exchange header identity.
 */
const load = createRequire(import.meta.url);
let iconvModule: typeof Iconv | undefined;
let libmimeModule: typeof Libmime | undefined;

export function iconv(): typeof Iconv {
  return (iconvModule ??= load('iconv-lite') as typeof Iconv);
}

function libmime(): typeof Libmime {
  return (libmimeModule ??= load('libmime') as typeof Libmime);
}

/** RFC 2047 encoded-words decoded: the engine's HeaderWordDecoder (EngineDeps.decodeHeaderWords). */
export function decodeHeaderWords(value: string): string {
  return libmime().decodeWords(value);
}
