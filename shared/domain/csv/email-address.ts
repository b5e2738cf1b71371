// A deliberately strict mailbox address check: RFC 5321 dot-atom local part, DNS host name
// domain, printable ASCII only. RFC 5321/6531 allow more (quoted local parts, address
// literals, UTF-8), but every address we accept is later used as an IMAP XOAUTH2 user name,
// an Exchange cmdlet -Identity and a literal in a generated PowerShell script; each of those
// extra forms is a quoting hazard there and no real mailbox in a migration batch needs one.

/** RFC 5321 4.5.3.1.3: a path is at most 256 octets including the angle brackets. */
export const MAX_ADDRESS_LENGTH = 254;
/** RFC 5321 4.5.3.1.1. */
const MAX_LOCAL_PART_LENGTH = 64;
/** RFC 1035: 255 octets on the wire, 253 characters in text form. */
const MAX_DOMAIN_LENGTH = 253;
/** RFC 1035 2.3.4. */
const MAX_LABEL_LENGTH = 63;

/** RFC 5322 atext: what a dot-atom local part may contain besides dots. */
const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const NOT_ATEXT = /[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]/g;
const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
const NON_ASCII = /[^\u0020-\u007e]/;
const WHITESPACE = /\s/;

/**
 * Why `address` is not an acceptable mailbox address, or `undefined` when it is.
 * The reason is a short lower-case phrase meant to follow the address in a message.
 */
export function emailAddressProblem(address: string): string | undefined {
  if (address === '') return 'is empty';
  if (address.length > MAX_ADDRESS_LENGTH) return `is longer than ${MAX_ADDRESS_LENGTH} characters`;
  if (CONTROL_CHARACTER.test(address)) return 'contains a control character (line break, tab, ...)';
  if (WHITESPACE.test(address)) return 'contains a space';
  if (address.includes('"')) return 'contains a double quote';
  if (NON_ASCII.test(address)) {
    return 'contains a non-ASCII character (international domains must be written in their xn-- form)';
  }
  const at = address.indexOf('@');
  if (at < 0) return 'has no @';
  if (address.indexOf('@', at + 1) >= 0) return 'contains more than one @';
  return localPartProblem(address.slice(0, at)) ?? domainProblem(address.slice(at + 1));
}

export function isValidEmailAddress(address: string): boolean {
  return emailAddressProblem(address) === undefined;
}

function localPartProblem(local: string): string | undefined {
  if (local === '') return 'has nothing before the @';
  if (local.length > MAX_LOCAL_PART_LENGTH) return `has more than ${MAX_LOCAL_PART_LENGTH} characters before the @`;
  const disallowed = [...new Set(local.match(NOT_ATEXT) ?? [])];
  if (disallowed.length > 0) return `contains ${disallowed.map((c) => `"${c}"`).join(', ')} before the @`;
  if (!local.split('.').every((part) => ATEXT.test(part))) {
    return 'has a dot at the start or end of the name, or two dots in a row';
  }
  return undefined;
}

function domainProblem(domain: string): string | undefined {
  if (domain === '') return 'has no domain after the @';
  if (domain.length > MAX_DOMAIN_LENGTH) return `has a domain longer than ${MAX_DOMAIN_LENGTH} characters`;
  const labels = domain.split('.');
  if (labels.length < 2) return 'has a domain without a dot';
  for (const label of labels) {
    if (label === '') return 'has an empty part in the domain (a dot at the start or end, or two in a row)';
    if (label.length > MAX_LABEL_LENGTH) return `has a domain part longer than ${MAX_LABEL_LENGTH} characters`;
    if (!DNS_LABEL.test(label)) {
      return 'has a domain with characters other than letters, digits and inner hyphens';
    }
  }
  // An all-numeric last label means an IPv4 address, which mailbox addresses never use.
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) return 'has a numeric top-level domain';
  return undefined;
}
