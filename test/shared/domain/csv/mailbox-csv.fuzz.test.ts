import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMailboxCsv } from '../../../../shared/domain/csv/parse-mailbox-csv.js';

/**
 * Property-based fuzzing of the CSV intake (complements test/shared/domain/csv/*.fuzz.test.ts):
 * whatever arrives — random text, random bytes, a valid file with several rows broken in
 * different ways — parseMailboxCsv returns a result, and a rejection points at the rows.
 */

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);
const address = fc.tuple(label, label, fc.constantFrom('com', 'org', 'example')).map(([l, d, t]) => `${l}@${d}.${t}`);

/** Ways to break one row, each of which the intake must report on that row's line. */
const breakage = fc.constantFrom<(addr: string, sep: string, first: string) => string>(
  () => 'no-at-sign',
  () => '',
  () => 'two@at@signs.example',
  (a) => `${a}${' '}space@x.example`,
  (a, sep) => `${a}${sep}extra-field`,
  (_a, _sep, first) => first, // a duplicate of the first row
);

describe('fuzz: parseMailboxCsv', () => {
  it('never throws on random text or bytes, and every problem has a line >= 0, a field and a message', () => {
    const input = fc.oneof(
      fc.string({ maxLength: 400 }),
      fc.string({ unit: fc.constantFrom('a', '@', '.', ',', ';', '"', '\n', '\r', ' ', 'E', 'm', 'i', 'l', '\ufeff', '\u0000'), maxLength: 400 }),
      fc.uint8Array({ maxLength: 400 }),
    );
    fc.assert(
      fc.property(input, (text) => {
        const r = parseMailboxCsv(text);
        if (r.ok) return;
        expect(r.problems.length).toBeGreaterThan(0);
        for (const p of r.problems) {
          expect(Number.isInteger(p.line) && p.line >= 0).toBe(true);
          expect(typeof p.field).toBe('string');
          expect(p.message.trim()).not.toBe('');
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('several broken rows among valid ones: nothing is accepted, and every broken row is named by its physical line', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(address, { minLength: 2, maxLength: 25 }),
        fc.array(fc.tuple(fc.nat(), breakage), { minLength: 1, maxLength: 5 }),
        fc.constantFrom(',', ';'),
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.nat(), { maxLength: 4 }),
        (addresses, breaks, sep, eol, blankAfter) => {
          const cells = [...addresses];
          const broken = new Set<number>();
          for (const [pick, breakRow] of breaks) {
            // Row 0 stays valid: it is what a duplicate copies.
            const i = 1 + (pick % (cells.length - 1));
            cells[i] = breakRow(addresses[i]!, sep, addresses[0]!);
            broken.add(i);
          }
          // Blank lines between rows shift physical line numbers: the problems must follow them.
          const blanks = new Set(blankAfter.map((n) => n % cells.length));
          const lines = ['Email'];
          const lineOf: number[] = [];
          cells.forEach((c, i) => {
            // Quoted (an unquoted empty cell would be a blank line, which is skipped by design),
            // except a row broken by an extra separator.
            lines.push(c.includes(sep) ? c : `"${c}"`);
            lineOf[i] = lines.length;
            if (blanks.has(i)) lines.push('');
          });
          const r = parseMailboxCsv(lines.join(eol));
          expect(r.ok).toBe(false);
          if (r.ok) return;
          const named = new Set(r.problems.map((p) => p.line));
          for (const i of broken) expect(named, `row ${i} (${JSON.stringify(cells[i])}) on line ${lineOf[i]!}`).toContain(lineOf[i]!);
          // No problem points at a row that was left valid.
          const valid = new Set(cells.map((_, i) => lineOf[i]!).filter((_, i) => !broken.has(i)));
          for (const p of r.problems) expect(valid.has(p.line), `problem on valid line ${p.line}: ${p.message}`).toBe(false);
        },
      ),
      { numRuns: 600 },
    );
  });
});
