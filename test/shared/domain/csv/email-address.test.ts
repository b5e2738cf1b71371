import { describe, expect, it } from 'vitest';
import { emailAddressProblem, isValidEmailAddress } from '../../../../shared/domain/csv/email-address.js';

describe('emailAddressProblem', () => {
  it.each([
    'alice@contoso.com',
    'Alice.Smith@Contoso.COM',
    "o'brien@contoso.com",
    'first.last+tag@mail.contoso.co.uk',
    'x_y-z=1@sub-domain.example',
    'a@b.io',
    'user@xn--mller-kva.de',
    `${'a'.repeat(64)}@contoso.com`,
  ])('accepts %s', (address) => {
    expect(emailAddressProblem(address)).toBeUndefined();
    expect(isValidEmailAddress(address)).toBe(true);
  });

  it.each([
    ['', 'is empty'],
    ['alice', 'has no @'],
    ['alice@', 'has no domain after the @'],
    ['@contoso.com', 'has nothing before the @'],
    ['a@b@contoso.com', 'contains more than one @'],
    ['alice@localhost', 'has a domain without a dot'],
    ['alice smith@contoso.com', 'contains a space'],
    ['alice@contoso.com ', 'contains a space'],
    ['alice\n@contoso.com', 'contains a control character (line break, tab, ...)'],
    ['alice\t@contoso.com', 'contains a control character (line break, tab, ...)'],
    ['"alice"@contoso.com', 'contains a double quote'],
    ['alice\u2019s@contoso.com', 'contains a non-ASCII character (international domains must be written in their xn-- form)'],
    ['user@müller.de', 'contains a non-ASCII character (international domains must be written in their xn-- form)'],
    ['al(ice)@contoso.com', 'contains "(", ")" before the @'],
    ['a,b;c@contoso.com', 'contains ",", ";" before the @'],
    ['.alice@contoso.com', 'has a dot at the start or end of the name, or two dots in a row'],
    ['alice.@contoso.com', 'has a dot at the start or end of the name, or two dots in a row'],
    ['al..ice@contoso.com', 'has a dot at the start or end of the name, or two dots in a row'],
    ['alice@contoso..com', 'has an empty part in the domain (a dot at the start or end, or two in a row)'],
    ['alice@contoso.com.', 'has an empty part in the domain (a dot at the start or end, or two in a row)'],
    ['alice@-contoso.com', 'has a domain with characters other than letters, digits and inner hyphens'],
    ['alice@contoso_mail.com', 'has a domain with characters other than letters, digits and inner hyphens'],
    ['alice@[192.168.0.1]', 'has a domain with characters other than letters, digits and inner hyphens'],
    ['alice@192.168.0.1', 'has a numeric top-level domain'],
    [`${'a'.repeat(65)}@contoso.com`, 'has more than 64 characters before the @'],
    [`a@${'b'.repeat(64)}.com`, 'has a domain part longer than 63 characters'],
    [`a@${'b.'.repeat(130)}com`, 'is longer than 254 characters'],
  ])('rejects %j: it %s', (address, reason) => {
    expect(emailAddressProblem(address)).toBe(reason);
    expect(isValidEmailAddress(address)).toBe(false);
  });

  it('accepts an address of exactly 254 characters and rejects one of 255', () => {
    const domain = `${'d'.repeat(61)}.${'e'.repeat(61)}.${'f'.repeat(61)}.com`; // 189 characters
    const at254 = `${'l'.repeat(64)}@${domain}`;
    expect(at254).toHaveLength(254);
    expect(emailAddressProblem(at254)).toBeUndefined();
    expect(emailAddressProblem(`l${at254}`)).toBe('is longer than 254 characters');
  });
});
