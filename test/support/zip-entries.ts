import { inflateRawSync } from 'node:zlib';

export interface ZipEntryInfo {
  name: string;
  /** Unix mode from the external attributes (0 when the archive was not made on Unix). */
  mode: number;
  size: number;
  /** The entry's bytes, inflated. */
  read: () => Buffer;
}

/** Reads a ZIP's central directory (no ZIP64): enough to check what a package holds. */
export function zipEntries(archive: Buffer): ZipEntryInfo[] {
  const endAt = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endAt < 0) throw new Error('zip: no end of central directory record');
  const count = archive.readUInt16LE(endAt + 10);
  let at = archive.readUInt32LE(endAt + 16);
  const out: ZipEntryInfo[] = [];
  for (let i = 0; i < count; i++) {
    if (archive.readUInt32LE(at) !== 0x02014b50) throw new Error(`zip: bad central directory entry ${i}`);
    const method = archive.readUInt16LE(at + 10);
    const compressed = archive.readUInt32LE(at + 20);
    const size = archive.readUInt32LE(at + 24);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    const madeOnUnix = archive.readUInt8(at + 5) === 3;
    const mode = madeOnUnix ? archive.readUInt32LE(at + 38) >>> 16 : 0;
    const local = archive.readUInt32LE(at + 42);
    const name = archive.toString('utf8', at + 46, at + 46 + nameLength);
    const read = (): Buffer => {
      const dataAt = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
      const body = archive.subarray(dataAt, dataAt + compressed);
      return method === 8 ? inflateRawSync(body) : Buffer.from(body);
    };
    out.push({ name, mode, size, read });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}
