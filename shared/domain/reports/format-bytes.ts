export interface ByteUnits {
  /** Always this unit, whatever the size: the HTML report's columns compare at a glance. */
  only?: 'MB';
  /** The unit below 1 KB: 'B' in the migrate summary, 'bytes' in preflight's sentences. */
  small?: 'B' | 'bytes';
  /** The largest unit used: migrate's totals reach GB, preflight's message sizes stop at MB. */
  largest?: 'MB' | 'GB';
}

/** Sizes as an admin reads them, in binary units as mail servers count them. */
export function formatBytes(n: number, units: ByteUnits = {}): string {
  if (units.only === 'MB') return `${(n / 1048576).toFixed(1)} MB`;
  if (n < 1024) return `${n} ${units.small ?? 'B'}`;
  if (n < 1048576) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1073741824 || units.largest === 'MB') return `${(n / 1048576).toFixed(1)} MB`;
  return `${(n / 1073741824).toFixed(2)} GB`;
}

/** Preflight's sizes: message sizes and limits, in bytes up to MB. */
export const formatMessageSize = (n: number): string => formatBytes(n, { small: 'bytes', largest: 'MB' });
