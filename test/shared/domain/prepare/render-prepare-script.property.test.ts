import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PrepareScriptInputError } from '../../../../shared/domain/prepare/prepare-input.js';
import { renderPrepareScript } from '../../../../shared/domain/prepare/render-prepare-script.js';
import { scanPowerShell } from './powershell-strings.js';

const ids = { appId: '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b', objectId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d' };

/** Characters an attacker would try, next to ordinary ones, so that some candidates pass. */
const hostileChar = fc.constantFrom(
  'a', 'b', 'Z', '0', '.', '-', '_', '+', "'", "''", '"', '`', '$', '(', ')', '{', '}', ';', '|', '&', '#', '%', '!', '*', '/', '=', '?', '^', '~',
  ' ', '\n', '\r', '\t', '\u0000', '\u2018', '\u2019', '\u201a', '\u201b', '\u201c', '\u201d', '\u201e', '@', '<', '>', ',', '\\', 'é',
);
const allowedChar = fc.constantFrom('a', 'q', 'Z', '7', '.', '-', '_', '+', "'", '!', '#', '%', '&', '*', '/', '=', '?', '^', '{', '|', '}', '~');
const localPart = fc
  .array(fc.oneof({ weight: 5, arbitrary: allowedChar }, { weight: 1, arbitrary: hostileChar }), { minLength: 1, maxLength: 12 })
  .map((chars) => chars.join(''));
const domain = fc.oneof(fc.constantFrom('contoso.com', 'mail.fabrikam.org'), fc.array(hostileChar, { minLength: 1, maxLength: 8 }).map((c) => `${c.join('')}.com`));
const candidate = fc.oneof({ weight: 6, arbitrary: fc.tuple(localPart, domain).map(([l, d]) => `${l}@${d}`) }, { weight: 1, arbitrary: fc.string({ maxLength: 30 }) });

describe('renderPrepareScript under fuzzing', () => {
  it('any accepted address appears in the script only inside a correctly quoted single-quoted literal', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(candidate, { minLength: 1, maxLength: 3 }), (mailboxes) => {
        let script: string;
        try {
          script = renderPrepareScript({ ...ids, mailboxes });
        } catch (error) {
          expect(error).toBeInstanceOf(PrepareScriptInputError);
          return;
        }
        accepted += 1;
        // Pure ASCII: Windows PowerShell 5.1 reads a BOM-less script in the ANSI code page.
        expect(script).toMatch(/^[\n\x20-\x7e]*$/);
        const scanned = scanPowerShell(script);
        const unique = mailboxes.filter((m, i) => mailboxes.findIndex((n) => n.toLowerCase() === m.toLowerCase()) === i);
        // Exactly the accepted addresses come out of the literals, unchanged and in order...
        expect(scanned.singleQuoted.filter((s) => s.includes('@'))).toEqual(unique);
        for (const address of unique) {
          expect(address).toMatch(/^[A-Za-z0-9.!#%&'*+/=?^_{|}~@-]+$/);
          // ...and none of them leaks into code, comments or expandable strings.
          const withoutLiterals = `${scanned.code}\n${scanned.doubleQuoted.join('\n')}`;
          expect(withoutLiterals).not.toContain(address);
        }
        // The mailbox block is one array literal of quoted lines.
        const block = /\$mailboxes = @\(\n((?: {4}'(?:[^']|'')*',?\n)+)\)\n/.exec(script);
        expect(block?.[1]?.trimEnd().split('\n')).toHaveLength(unique.length);
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(150);
  });
});
