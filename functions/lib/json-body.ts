import type { CsvProblem } from '../../shared/contracts/mailbox.js';

const quote = (v: string): string => `"${v.replace(/"/g, '""')}"`;

/**
 * JSON bodies ({"mailboxes": [{"sourceEmail", "destinationEmail"}]} or [{"email"}]) become
 * the same CSV the blob path takes, so one parser validates both and reports the same errors
 * (line n+1 = mailboxes[n-1]).
 */
export function jsonBodyToCsv(raw: Buffer): { ok: true; csv: Buffer } | { ok: false; problems: CsvProblem[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, problems: [{ line: 0, field: '', message: 'body is not valid JSON' }] };
  }
  const list = Array.isArray(parsed) ? parsed : typeof parsed === 'object' && parsed !== null ? (parsed as { mailboxes?: unknown }).mailboxes : undefined;
  if (!Array.isArray(list)) return { ok: false, problems: [{ line: 0, field: 'mailboxes', message: 'expected an array "mailboxes"' }] };
  const lines = ['SourceEmail,DestinationEmail'];
  const problems: CsvProblem[] = [];
  list.forEach((item: unknown, i) => {
    const o = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    const src = o.sourceEmail ?? o.email ?? o.Email;
    const dst = o.destinationEmail ?? src;
    // Name the field that is wrong: a good source with a bad destination is a destination problem.
    if (typeof src !== 'string') {
      const given = (['sourceEmail', 'email', 'Email'] as const).find((k) => o[k] !== undefined && o[k] !== null);
      const field = given ?? 'sourceEmail';
      problems.push({ line: i + 2, field, message: given ? `mailboxes[${i}].${given} must be a string` : `mailboxes[${i}] needs "sourceEmail" (or "email") as a string` });
      return;
    }
    if (typeof dst !== 'string') {
      problems.push({ line: i + 2, field: 'destinationEmail', message: `mailboxes[${i}].destinationEmail must be a string (or absent: the same address as the source)` });
      return;
    }
    lines.push(`${quote(src)},${quote(dst)}`);
  });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, csv: Buffer.from(lines.join('\r\n'), 'utf8') };
}
