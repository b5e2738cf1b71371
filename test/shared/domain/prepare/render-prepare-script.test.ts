import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMailboxCsv } from '../../../../shared/domain/csv/parse-mailbox-csv.js';
import { rejection } from './prepare-rejection.js';
import { powerShellSingleQuoted } from '../../../../shared/domain/prepare/powershell-literal.js';
import { renderPrepareScript } from '../../../../shared/domain/prepare/render-prepare-script.js';
import { scanPowerShell } from './powershell-strings.js';

const appId = '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const objectId = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const expectedScript = readFileSync(new URL('./expected-prepare.ps1', import.meta.url), 'utf8');


const render = (mailboxes: string[]): string => renderPrepareScript({ appId, objectId, mailboxes });

describe('renderPrepareScript', () => {
  it('the script for a clean CSV equals the reviewed expected-prepare.ps1', () => {
    const csv = parseMailboxCsv("Email\r\nalice@contoso.com\r\no'brien@contoso.com\r\nBob.Smith+archive@sales.contoso.com\r\n");
    if (!csv.ok) throw new Error(JSON.stringify(csv.problems));
    const script = renderPrepareScript({
      appId,
      objectId,
      organization: 'contoso.onmicrosoft.com',
      mailboxes: csv.rows.map((row) => row.sourceEmail),
    });
    expect(script).toBe(expectedScript);
  });

  it('every value from the caller sits in a single-quoted literal; expandable strings hold only variables', () => {
    const scanned = scanPowerShell(expectedScript);
    expect(scanned.singleQuoted).toEqual(
      expect.arrayContaining([appId, objectId, 'contoso.onmicrosoft.com', 'alice@contoso.com', "o'brien@contoso.com"]),
    );
    for (const value of [appId, objectId, 'contoso.onmicrosoft.com', 'contoso.com']) {
      expect(scanned.code).not.toContain(value);
      for (const text of scanned.doubleQuoted) expect(text).not.toContain(value);
    }
  });

  it('without an organization, Connect-ExchangeOnline signs in to the admin\'s own tenant', () => {
    const script = render(['alice@contoso.com']);
    expect(script).toContain('\nConnect-ExchangeOnline -ShowBanner:$false\n');
    expect(script).not.toContain('-Organization');
    expect(script).toContain("$mailboxes = @(\n    'alice@contoso.com'\n)\n");
    expect(script).toContain('For each of the 1 mailbox listed below');
  });

  it('the same mailbox listed twice, in any case, is emitted once', () => {
    const script = render(['alice@contoso.com', 'Alice@Contoso.com']);
    expect(scanPowerShell(script).singleQuoted.filter((s) => s.toLowerCase() === 'alice@contoso.com')).toEqual(['alice@contoso.com']);
  });

  it.each([
    ['appId', { appId: 'not-a-guid', objectId }],
    ['objectId', { appId, objectId: '{a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d}' }],
  ])('a %s that is not a GUID is rejected with an error naming the field', (field, ids) => {
    const error = rejection(() => renderPrepareScript({ ...ids, mailboxes: ['alice@contoso.com'] }));
    expect(error.problems).toEqual([expect.objectContaining({ field })]);
    expect(error.message).toContain(`${field} `);
    expect(error.message).toContain('must be a GUID');
  });

  it('an organization that is not a domain name is rejected', () => {
    const error = rejection(() => renderPrepareScript({ appId, objectId, organization: "contoso'; calc; '", mailboxes: ['a@contoso.com'] }));
    expect(error.problems).toEqual([expect.objectContaining({ field: 'organization' })]);
  });

  it('an empty mailbox list is rejected', () => {
    expect(rejection(() => render([])).problems).toEqual([{ field: 'mailboxes', value: '', reason: 'at least one mailbox is required' }]);
  });

  it('all problems are reported at once, each rejected address with its reason', () => {
    const error = rejection(() =>
      renderPrepareScript({ appId: 'x', objectId, mailboxes: ['good@contoso.com', 'bad one@contoso.com', 'a$b@contoso.com'] }),
    );
    expect(error.problems.map((p) => [p.field, p.value])).toEqual([
      ['appId', 'x'],
      ['mailboxes', 'bad one@contoso.com'],
      ['mailboxes', 'a$b@contoso.com'],
    ]);
    expect(error.message).toContain('"bad one@contoso.com": is not a valid address: it contains a space');
    expect(error.message).toContain('"a$b@contoso.com": contains "$", which PowerShell could expand; grant this mailbox by hand');
  });
});

describe('renderPrepareScript with hostile addresses', () => {
  it.each([
    ['a double quote', '"alice"@contoso.com', 'it contains a double quote'],
    ['a semicolon', 'alice;Remove-Mailbox@contoso.com', 'contains ";"'],
    ['a subexpression', '$(Remove-Mailbox)@contoso.com', 'contains "(", ")"'],
    ['a variable', '$env@contoso.com', 'contains "$", which PowerShell could expand'],
    ['a backtick', 'a`nb@contoso.com', 'contains "`", which PowerShell could expand'],
    ['a left single quotation mark', 'o\u2018brien@contoso.com', 'non-ASCII'],
    ['a right single quotation mark', 'o\u2019brien@contoso.com', 'non-ASCII'],
    ['a left double quotation mark', '\u201calice\u201d@contoso.com', 'non-ASCII'],
    ['a line break', "alice@contoso.com\nRemove-Mailbox 'x'", 'control character'],
    ['a carriage return', 'alice@contoso.com\r', 'control character'],
    ['a space', "x' ; Remove-Mailbox -Identity 'y@contoso.com", 'contains a space'],
    ['a quote-breaking attempt', "'+(Get-Mailbox)+'@contoso.com", 'contains "(", ")"'],
  ])('an address with %s is rejected', (_, address, reason) => {
    const error = rejection(() => render([address]));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.value).toBe(address);
    expect(error.problems[0]?.reason).toContain(reason);
  });

  it("an apostrophe is valid in an address and is doubled inside the literal: 'o''brien@contoso.com'", () => {
    const script = render(["o'brien@contoso.com"]);
    expect(script).toContain("    'o''brien@contoso.com'\n");
    expect(scanPowerShell(script).singleQuoted).toContain("o'brien@contoso.com");
  });

  it('a quote-breaking attempt made only of allowed characters stays one literal', () => {
    const address = "'+'@contoso.com";
    const script = render([address]);
    expect(script).toContain("    '''+''@contoso.com'\n");
    const scanned = scanPowerShell(script);
    expect(scanned.singleQuoted).toContain(address);
    expect(scanned.code).not.toContain('contoso');
  });
});

describe('powerShellSingleQuoted', () => {
  it('doubles the ASCII quote and the typographic single quotes PowerShell also honours', () => {
    expect(powerShellSingleQuoted("it's")).toBe("'it''s'");
    expect(powerShellSingleQuoted('\u2018x\u2019\u201a\u201b')).toBe("'\u2018\u2018x\u2019\u2019\u201a\u201a\u201b\u201b'");
    expect(scanPowerShell(powerShellSingleQuoted("a'\u2019b$(x)`n\"")).singleQuoted).toEqual(["a'\u2019b$(x)`n\""]);
  });
});
