import { describe, expect, it } from 'vitest';
import { formatBytes, formatMessageSize } from '../../../../shared/domain/reports/format-bytes.js';

const sizes = [0, 1, 1023, 1024, 1536, 1048575, 1048576, 5 * 1048576 + 3, 1073741823, 1073741824, 3.5 * 1073741824];

describe('formatBytes', () => {
  it("migrate's summary: B, KB, MB, then GB with two decimals", () => {
    expect(sizes.map((n) => formatBytes(n))).toEqual(['0 B', '1 B', '1023 B', '1.0 KB', '1.5 KB', '1024.0 KB', '1.0 MB', '5.0 MB', '1024.0 MB', '1.00 GB', '3.50 GB']);
  });

  it("the HTML report's columns: MB whatever the size", () => {
    expect(sizes.map((n) => formatBytes(n, { only: 'MB' }))).toEqual(sizes.map((n) => `${(n / 1048576).toFixed(1)} MB`));
  });

  it("preflight's message sizes: bytes, KB, then MB however large", () => {
    expect(sizes.map((n) => formatMessageSize(n))).toEqual(['0 bytes', '1 bytes', '1023 bytes', '1.0 KB', '1.5 KB', '1024.0 KB', '1.0 MB', '5.0 MB', '1024.0 MB', '1024.0 MB', '3584.0 MB']);
  });
});
