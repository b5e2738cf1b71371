import { describe, expect, it } from 'vitest';
import type { CsvParseResult, CsvProblem, MailboxRow } from '../../../../shared/contracts/mailbox.js';
import { formatCsvProblem } from '../../../../shared/domain/csv/format-csv-problem.js';
import { parseMailboxCsv } from '../../../../shared/domain/csv/parse-mailbox-csv.js';

function rowsOf(result: CsvParseResult): MailboxRow[] {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.problems)}`);
  return result.rows;
}

function problemsOf(result: CsvParseResult): CsvProblem[] {
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.rows)}`);
  return result.problems;
}

const same = (line: number, email: string): MailboxRow => ({ line, sourceEmail: email, destinationEmail: email });

describe('parseMailboxCsv: accepted shapes', () => {
  it('an Email column maps every address to itself, with the physical line of each row', () => {
    const result = parseMailboxCsv('Email\nalice@contoso.com\nbob@contoso.com\n');
    expect(rowsOf(result)).toEqual([same(2, 'alice@contoso.com'), same(3, 'bob@contoso.com')]);
    expect(result.ok && result.warnings).toEqual([]);
  });

  it('SourceEmail,DestinationEmail maps each source to its destination, header names case-insensitive and trimmed', () => {
    const result = parseMailboxCsv(' sourceemail , DESTINATIONEMAIL \nalice@old.example,alice@contoso.com\n');
    expect(rowsOf(result)).toEqual([{ line: 2, sourceEmail: 'alice@old.example', destinationEmail: 'alice@contoso.com' }]);
  });

  it('the columns may come in any order', () => {
    const result = parseMailboxCsv('DestinationEmail,SourceEmail\nalice@contoso.com,alice@old.example\n');
    expect(rowsOf(result)).toEqual([{ line: 2, sourceEmail: 'alice@old.example', destinationEmail: 'alice@contoso.com' }]);
  });

  it.each(['PrimarySmtpAddress', 'EmailAddress', 'EMAIL'])('%s is accepted as the address column', (column) => {
    expect(rowsOf(parseMailboxCsv(`${column}\nalice@contoso.com\n`))).toEqual([same(2, 'alice@contoso.com')]);
  });

  it('an Export-Csv file with a #TYPE line skips that line, keeps physical line numbers and summarises the other columns', () => {
    const text = [
      '#TYPE Deserialized.Microsoft.Exchange.Data.Directory.Management.Mailbox',
      '"Name","Alias","PrimarySmtpAddress","EmailAddresses","RecipientTypeDetails"',
      '"Alice Smith","alice","alice@contoso.com","SMTP:alice@contoso.com smtp:as@contoso.com","UserMailbox"',
      '"Shared, Sales","sales","sales@contoso.com","SMTP:sales@contoso.com","SharedMailbox"',
      '',
    ].join('\r\n');
    const result = parseMailboxCsv(text);
    expect(rowsOf(result)).toEqual([same(3, 'alice@contoso.com'), same(4, 'sales@contoso.com')]);
    expect(result.ok && result.warnings).toEqual([
      { line: 2, field: '', message: 'ignored 4 other columns of the Exchange export: Name, Alias, EmailAddresses, RecipientTypeDetails' },
    ]);
  });

  it('a PrimarySmtpAddress export with many columns names the first ten ignored ones and counts the rest', () => {
    const others = Array.from({ length: 13 }, (_, i) => `Col${i + 1}`);
    const result = parseMailboxCsv(`${others.join(',')},PrimarySmtpAddress\n${others.map(() => 'x').join(',')},a@contoso.com\n`);
    expect(result.ok && result.warnings[0]?.message).toBe(
      'ignored 13 other columns of the Exchange export: Col1, Col2, Col3, Col4, Col5, Col6, Col7, Col8, Col9, Col10 and 3 more',
    );
  });

  it('an unknown extra column is a warning naming the column, not an error', () => {
    const result = parseMailboxCsv('Email,Department\nalice@contoso.com,Sales\n');
    expect(rowsOf(result)).toEqual([same(2, 'alice@contoso.com')]);
    expect(result.ok && result.warnings).toEqual([{ line: 1, field: 'Department', message: 'unknown column "Department" is ignored' }]);
  });

  it('a semicolon-separated file is detected from its header line', () => {
    const result = parseMailboxCsv('SourceEmail;DestinationEmail;Note\na@old.example;a@contoso.com;"x, y; z"\n');
    expect(rowsOf(result)).toEqual([{ line: 2, sourceEmail: 'a@old.example', destinationEmail: 'a@contoso.com' }]);
  });

  it('an Excel sep=; line sets the separator and is skipped', () => {
    expect(rowsOf(parseMailboxCsv('sep=;\nEmail;Note\na@contoso.com;x,y\n'))).toEqual([same(3, 'a@contoso.com')]);
  });

  it('quoted fields may hold separators, doubled quotes and line breaks, and later rows keep their physical line', () => {
    const text = 'Email,Note\r\n"alice@contoso.com","said ""hi"", then\r\nleft"\r\nbob@contoso.com,"a\nb\nc"\r\ncarol@contoso.com,\r\n';
    expect(rowsOf(parseMailboxCsv(text))).toEqual([same(2, 'alice@contoso.com'), same(4, 'bob@contoso.com'), same(7, 'carol@contoso.com')]);
  });

  it('CRLF, LF and lone CR line endings give the same rows', () => {
    const lines = ['Email', 'a@contoso.com', 'b@contoso.com'];
    const expected = [same(2, 'a@contoso.com'), same(3, 'b@contoso.com')];
    for (const eol of ['\r\n', '\n', '\r']) expect(rowsOf(parseMailboxCsv(lines.join(eol)))).toEqual(expected);
  });

  it('blank and whitespace-only lines are skipped without shifting line numbers, and fields are trimmed', () => {
    const text = '\n\nEmail\n\n   \n  a@contoso.com  \n" b@contoso.com "\t\n\n';
    expect(rowsOf(parseMailboxCsv(text))).toEqual([same(6, 'a@contoso.com'), same(7, 'b@contoso.com')]);
  });

  it('rows of bare separators, as Excel writes for formatted empty rows, are skipped', () => {
    expect(rowsOf(parseMailboxCsv('Email;Note\na@contoso.com;x\n;\n;\n'))).toEqual([same(2, 'a@contoso.com')]);
  });

  it('a UTF-8 byte order mark is ignored, in a string and in bytes', () => {
    expect(rowsOf(parseMailboxCsv('\ufeffEmail\na@contoso.com\n'))).toEqual([same(2, 'a@contoso.com')]);
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Email\na@contoso.com\n')]);
    expect(rowsOf(parseMailboxCsv(bytes))).toEqual([same(2, 'a@contoso.com')]);
  });

  it('a Windows-1252 file (Excel plain CSV) is read with a warning when only other columns hold accents', () => {
    const bytes = Buffer.from('Email,Name\na@contoso.com,M\xfcller\n', 'latin1');
    const result = parseMailboxCsv(bytes);
    expect(rowsOf(result)).toEqual([same(2, 'a@contoso.com')]);
    expect(result.ok && result.warnings.map((w) => w.line)).toEqual([0, 1]);
    expect(result.ok && result.warnings[0]?.message).toMatch(/not valid UTF-8/);
  });
});

describe('parseMailboxCsv: whole-file problems', () => {
  const UTF16 = 'file is UTF-16; save as UTF-8 (in Excel: "CSV UTF-8 (Comma delimited)")';

  it.each([
    ['UTF-16 LE with a byte order mark', Buffer.from('\ufeffEmail\r\na@contoso.com\r\n', 'utf16le')],
    ['UTF-16 BE with a byte order mark', Buffer.from('\ufeffEmail\r\na@contoso.com\r\n', 'utf16le').swap16()],
    ['UTF-16 LE without a byte order mark', Buffer.from('Email\r\na@contoso.com\r\n', 'utf16le')],
    ['UTF-16 read as Latin-1 into a string', Buffer.from('\ufeffEmail\r\n', 'utf16le').toString('latin1')],
  ])('%s is rejected with a clear message', (_, input) => {
    expect(problemsOf(parseMailboxCsv(input))).toEqual([{ line: 0, field: '', message: UTF16 }]);
  });

  it.each([
    ['an empty string', ''],
    ['zero bytes', Buffer.alloc(0)],
    ['only a byte order mark', '\ufeff'],
    ['only blank lines', '\r\n  \n\t\n'],
    ['only a #TYPE line', '#TYPE System.Management.Automation.PSCustomObject\n'],
  ])('%s is an empty file', (_, input) => {
    expect(problemsOf(parseMailboxCsv(input))).toEqual([{ line: 0, field: '', message: 'file is empty' }]);
  });

  it('a header without rows is rejected', () => {
    expect(problemsOf(parseMailboxCsv('Email\n\n'))).toEqual([{ line: 0, field: '', message: 'file has a header but no mailbox rows' }]);
  });

  it('an Excel workbook uploaded as CSV is recognised', () => {
    const problems = problemsOf(parseMailboxCsv(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00])));
    expect(problems[0]?.message).toMatch(/Excel workbook/);
  });

  it('more rows than maxRows is one whole-file error, whatever else is wrong', () => {
    const text = `Email\n${['a@contoso.com', 'not-an-address', 'c@contoso.com', 'a@contoso.com'].join('\n')}\n`;
    expect(problemsOf(parseMailboxCsv(text, { maxRows: 3 }))).toEqual([
      { line: 0, field: '', message: 'file has 4 mailbox rows; at most 3 are accepted per batch: split it' },
    ]);
  });

  it('exactly maxRows rows are accepted, and 50,000 is the default limit', () => {
    const rows = (n: number): string => `Email\n${Array.from({ length: n }, (_, i) => `user${i}@contoso.com`).join('\n')}\n`;
    expect(rowsOf(parseMailboxCsv(rows(3), { maxRows: 3 }))).toHaveLength(3);
    expect(rowsOf(parseMailboxCsv(rows(50_000)))).toHaveLength(50_000);
    expect(problemsOf(parseMailboxCsv(rows(50_001)))[0]?.message).toMatch(/50001 mailbox rows; at most 50000/);
  });

  it('an invalid maxRows option is a programmer error and throws', () => {
    expect(() => parseMailboxCsv('Email\na@b.com', { maxRows: 0 })).toThrow(RangeError);
    expect(() => parseMailboxCsv('Email\na@b.com', { maxRows: 1.5 })).toThrow(/maxRows must be a positive integer/);
  });
});

describe('parseMailboxCsv: header problems', () => {
  it('a first line holding an address is a missing header', () => {
    const problems = problemsOf(parseMailboxCsv('alice@contoso.com\nbob@contoso.com\n'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 1, field: '' });
    expect(problems[0]?.message).toMatch(/^missing header: line 1 looks like data/);
  });

  it('a header without any usable column lists what it found', () => {
    const problems = problemsOf(parseMailboxCsv('Name,Mail\nAlice,alice@contoso.com\n'));
    expect(problems).toEqual([
      {
        line: 1,
        field: '',
        message:
          'no usable column: the header must name an Email column (or PrimarySmtpAddress, EmailAddress), or SourceEmail and DestinationEmail; found "Name", "Mail"',
      },
    ]);
  });

  it('a tab-separated file gets a hint', () => {
    expect(problemsOf(parseMailboxCsv('Email\tName\na@contoso.com\tA\n'))[0]?.message).toMatch(/tab-separated files are not supported/);
  });

  it('SourceEmail without DestinationEmail names the column', () => {
    expect(problemsOf(parseMailboxCsv('SourceEmail\na@contoso.com\n'))).toEqual([
      { line: 1, field: 'SourceEmail', message: 'column "SourceEmail" needs a DestinationEmail column next to it' },
    ]);
  });

  it('two single-address columns are ambiguous', () => {
    expect(problemsOf(parseMailboxCsv('Email,PrimarySmtpAddress\na@contoso.com,b@contoso.com\n'))[0]?.message).toBe(
      'columns "Email" and "PrimarySmtpAddress" all name the address: keep one',
    );
  });

  it('a repeated address column is an error naming both positions', () => {
    expect(problemsOf(parseMailboxCsv('Email,email\na@contoso.com,b@contoso.com\n'))).toEqual([
      { line: 1, field: 'Email', message: 'column "Email" appears 2 times (columns 1, 2)' },
    ]);
  });

  it('the header line number counts the #TYPE line and leading blank lines', () => {
    expect(problemsOf(parseMailboxCsv('\n#TYPE X\n\nName\nAlice\n'))[0]).toMatchObject({ line: 4 });
  });
});

describe('parseMailboxCsv: row problems', () => {
  it('every row problem is reported with its line and field, and no rows are returned', () => {
    const text = [
      'SourceEmail,DestinationEmail', //                 1
      'alice@old.example,alice@contoso.com', //          2 ok
      ',bob@contoso.com', //                             3 empty source
      'carol@old.example,carol at contoso.com', //       4 invalid destination
      'dave@old.example', //                             5 wrong field count
      'ALICE@old.example,alice2@contoso.com', //         6 duplicate source of line 2
      'erin@old.example,Alice@Contoso.com', //           7 destination of line 2 again
      'frank@old.example,frank@contoso.com,extra', //    8 wrong field count
      '"ok@old.example","ok@contoso.com"', //            9 ok
    ].join('\n');
    expect(problemsOf(parseMailboxCsv(text))).toEqual([
      { line: 3, field: 'SourceEmail', message: 'SourceEmail is empty' },
      { line: 4, field: 'DestinationEmail', message: '"carol at contoso.com" is not a valid address: it contains a space' },
      { line: 5, field: '', message: 'expected 2 fields as in the header, found 1' },
      {
        line: 6,
        field: 'SourceEmail',
        message: 'duplicate: "ALICE@old.example" is already listed on line 2',
      },
      {
        line: 7,
        field: 'DestinationEmail',
        message: 'two sources map to "Alice@Contoso.com": lines 2 and 7; each destination mailbox may receive one source',
      },
      { line: 8, field: '', message: 'expected 2 fields as in the header, found 3' },
    ]);
  });

  it('a quoted empty value in a one-column file is an empty address, not a blank line', () => {
    expect(problemsOf(parseMailboxCsv('Email\na@contoso.com\n""\n'))).toEqual([{ line: 3, field: 'Email', message: 'Email is empty' }]);
  });

  it('both fields of a row are checked, each problem naming its own column', () => {
    expect(problemsOf(parseMailboxCsv('SourceEmail,DestinationEmail\nnope,\n')).map((p) => p.field)).toEqual([
      'SourceEmail',
      'DestinationEmail',
    ]);
  });

  it('an address broken by a quoted line break is invalid and reported on the line where its record starts', () => {
    expect(problemsOf(parseMailboxCsv('Email\na@contoso.com\n"b@con\ntoso.com"\n'))).toEqual([
      { line: 3, field: 'Email', message: '"b@con\\ntoso.com" is not a valid address: it contains a control character (line break, tab, ...)' },
    ]);
  });

  it('an unclosed quote is reported on the line where the quoted field starts', () => {
    const problems = problemsOf(parseMailboxCsv('Email\na@contoso.com\n"b@contoso.com\nc@contoso.com\nd@contoso.com\n'));
    expect(problems).toEqual([
      { line: 3, field: '', message: 'a quoted field starting on this line is never closed: a closing " is missing' },
    ]);
  });

  it('text after a closing quote is a syntax problem on its line', () => {
    expect(problemsOf(parseMailboxCsv('Email\n"a"b@contoso.com\n'))[0]).toMatchObject({ line: 2, field: '' });
  });

  it('a stray quote inside an unquoted field reaches the address check, which names the character', () => {
    expect(problemsOf(parseMailboxCsv('Email\nal"ice@contoso.com\n'))).toEqual([
      { line: 2, field: 'Email', message: '"al\\"ice@contoso.com" is not a valid address: it contains a double quote' },
    ]);
  });

  it('the problem list is capped at 1000 entries, the last one counting the rest', () => {
    const text = `Email\n${Array.from({ length: 1500 }, (_, i) => `bad${i}`).join('\n')}\n`;
    const problems = problemsOf(parseMailboxCsv(text));
    expect(problems).toHaveLength(1000);
    expect(problems[998]).toMatchObject({ line: 1000, field: 'Email' });
    expect(problems[999]).toEqual({ line: 0, field: '', message: 'and 501 more problems not listed' });
  });
});

describe('formatCsvProblem', () => {
  it('prints the line and field of a row problem, and "file" for a whole-file problem', () => {
    expect(formatCsvProblem({ line: 7, field: 'Email', message: 'Email is empty' })).toBe('line 7, Email: Email is empty');
    expect(formatCsvProblem({ line: 1, field: '', message: 'missing header' })).toBe('line 1: missing header');
    expect(formatCsvProblem({ line: 0, field: '', message: 'file is empty' })).toBe('file: file is empty');
  });
});
