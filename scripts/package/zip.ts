import { zipSync, type Zippable } from 'fflate';

/**
 * The package zip, written by fflate (no zip tool needed on the build machine). Entries get a
 * fixed 1980-01-01 timestamp and keep the order given, so the same input gives the same bytes;
 * Unix modes are kept (made on Unix, mode in the external attributes), so executables stay
 * executable. No ZIP64: the package stays far below 65,535 entries and 4 GiB.
 */
export interface ZipEntry {
  /** Path inside the archive, "/"-separated, no leading "/". */
  name: string;
  data: Buffer;
  /** Unix file mode, e.g. 0o100644. */
  mode: number;
}

const MAX_ENTRIES = 0xffff;
const UNIX = 3;
/** Local time 1980-01-01 00:00, the earliest DOS date: no build time leaks into the archive. */
const FIXED_TIME = new Date(1980, 0, 1, 0, 0, 0);

export function zip(entries: readonly ZipEntry[]): Buffer {
  if (entries.length > MAX_ENTRIES) throw new Error(`zip: ${entries.length} entries, more than ${MAX_ENTRIES} needs ZIP64`);
  const files: Zippable = {};
  for (const e of entries) {
    if (e.name in files) throw new Error(`zip: "${e.name}" given twice`);
    files[e.name] = [new Uint8Array(e.data.buffer, e.data.byteOffset, e.data.length), { level: 9, mtime: FIXED_TIME, os: UNIX, attrs: ((e.mode & 0xffff) << 16) >>> 0 }];
  }
  const out = zipSync(files);
  return Buffer.from(out.buffer, out.byteOffset, out.length);
}
