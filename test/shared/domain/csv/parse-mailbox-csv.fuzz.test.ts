import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CsvParseResult } from '../../../../shared/contracts/mailbox.js';
import { parseMailboxCsv } from '../../../../shared/domain/csv/parse-mailbox-csv.js';

/** Invariants that hold for any input: a result, never an exception, and well-formed problems. */
function expectWellFormed(result: CsvParseResult, physicalLines: number): void {
  if (result.ok) {
    for (const row of result.rows) {
      expect(row.line).toBeGreaterThanOrEqual(1);
      expect(row.line).toBeLessThanOrEqual(physicalLines);
    }
    return;
  }
  expect(result.problems.length).toBeGreaterThan(0);
  expect(result.problems.length).toBeLessThanOrEqual(1000);
  for (const problem of result.problems) {
    expect(Number.isInteger(problem.line)).toBe(true);
    expect(problem.line).toBeGreaterThanOrEqual(0);
    expect(problem.line).toBeLessThanOrEqual(physicalLines);
    expect(typeof problem.field).toBe('string');
    expect(problem.message.length).toBeGreaterThan(0);
  }
}

const physicalLineCount = (text: string): number => text.replace(/\r\n?/g, '\n').split('\n').length;

const csvChars = fc.constantFrom('a', 'b', '@', '.', ',', ';', '"', '\n', '\r', ' ', '\t', 'é', '\u0000', '\ufeff', '#', 'x', '-');
const label = fc.stringMatching(/^[a-z0-9]{1,8}$/);
const address = fc
  .tuple(fc.stringMatching(/^[a-z0-9][a-z0-9._+'-]{0,10}[a-z0-9]$/), label, fc.constantFrom('com', 'org', 'example'))
  .filter(([local]) => !local.includes('..'))
  .map(([local, domain, tld]) => `${local}@${domain}.${tld}`);

describe('parseMailboxCsv under fuzzing', () => {
  it('random strings never make it throw, and every problem has a line >= 0 and a message', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: csvChars, maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
        expectWellFormed(parseMailboxCsv(text), physicalLineCount(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('random bytes never make it throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const result = parseMailboxCsv(bytes);
        if (!result.ok) for (const problem of result.problems) expect(problem.line).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('random near-valid CSVs never make it throw, and the problems stay well-formed', () => {
    const cell = fc.oneof(address, fc.string({ unit: csvChars, maxLength: 12 }), fc.constant(''));
    const header = fc.constantFrom(['Email'], ['SourceEmail', 'DestinationEmail'], ['Email', 'Note'], ['PrimarySmtpAddress', 'Name']);
    fc.assert(
      fc.property(
        header,
        fc.array(fc.array(cell, { minLength: 0, maxLength: 3 }), { maxLength: 20 }),
        fc.constantFrom(',', ';'),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.boolean(),
        (columns, rows, sep, eol, quoteAll) => {
          const q = (value: string): string => (quoteAll ? `"${value.replace(/"/g, '""')}"` : value);
          const text = [columns, ...rows].map((cells) => cells.map(q).join(sep)).join(eol);
          expectWellFormed(parseMailboxCsv(text), physicalLineCount(text));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('a generated valid CSV, however it is quoted, spaced and separated, yields exactly its rows and physical lines', () => {
    const row = fc.record({
      source: address,
      destination: address,
      note: fc.string({ unit: fc.constantFrom('a', ' ', ',', ';', '"', '\n', 'é'), maxLength: 10 }),
      blankLinesBefore: fc.integer({ min: 0, max: 2 }),
      padding: fc.constantFrom('', ' ', '  \t'),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(row, { minLength: 1, maxLength: 15, selector: (r) => r.source.toLowerCase() }).filter(
          (rows) => new Set(rows.map((r) => r.destination.toLowerCase())).size === rows.length,
        ),
        fc.constantFrom(',', ';'),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        (rows, sep, eol, withBom) => {
          // The note column is always quoted: it may hold separators, quotes and line breaks.
          const note = (value: string): string => `"${value.replace(/"/g, '""').replace(/\n/g, eol)}"`;
          let text = `${withBom ? '\ufeff' : ''}SourceEmail${sep}Note${sep}DestinationEmail`;
          let line = 1;
          const expected = rows.map((r) => {
            for (let i = 0; i < r.blankLinesBefore; i += 1) {
              text += `${eol}${r.padding}`;
              line += 1;
            }
            text += `${eol}${r.padding}${r.source}${r.padding}${sep}${note(r.note)}${sep}"${r.destination}"${r.padding}`;
            line += 1;
            const start = line;
            line += r.note.split('\n').length - 1; // quoted line breaks are physical lines too
            return { line: start, sourceEmail: r.source, destinationEmail: r.destination };
          });
          const result = parseMailboxCsv(text);
          expect(result.ok ? result.rows : result.problems).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('one corrupted row in a valid CSV makes the whole file fail with a problem on that row', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(address, { minLength: 1, maxLength: 20, selector: (a) => a.toLowerCase() }),
        fc.nat(),
        fc.constantFrom('', 'no-at-sign', 'a b@c.com', 'x@y', 'a@b.com;c@d.com', '$(calc)@x.com', '"q"@x.com'),
        (addresses, pick, bad) => {
          const index = pick % addresses.length;
          const cells = addresses.map((a, i) => (i === index ? `"${bad.replace(/"/g, '""')}"` : a));
          const result = parseMailboxCsv(`Email\n${cells.join('\n')}\n`);
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.problems.map((p) => p.line)).toContain(index + 2);
        },
      ),
      { numRuns: 500 },
    );
  });
});
