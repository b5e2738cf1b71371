import type { CsvProblem } from '../../contracts/mailbox.js';

// Turns the uploaded bytes (or an already decoded string) into text, or one whole-file problem.
// The checks name what the admin most likely did wrong: Excel's "Unicode Text" and Windows
// PowerShell 5.1's `Out-File`/`>` write UTF-16; an .xlsx upload is a zip archive.

export type DecodedCsvText =
  | { ok: true; text: string; warnings: CsvProblem[] }
  | { ok: false; problem: CsvProblem };

const UTF16_PROBLEM = 'file is UTF-16; save as UTF-8 (in Excel: "CSV UTF-8 (Comma delimited)")';
/** How many leading characters we inspect to recognise UTF-16 without a byte order mark. */
const SNIFF_LENGTH = 512;

export function decodeCsvText(input: string | Uint8Array): DecodedCsvText {
  if (typeof input !== 'string') return decodeBytes(input);
  return checkText(stripBom(input), []);
}

function decodeBytes(bytes: Uint8Array): DecodedCsvText {
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) return fileProblem(UTF16_PROBLEM);
  try {
    // TextDecoder drops a UTF-8 byte order mark itself (ignoreBOM defaults to false).
    return checkText(new TextDecoder('utf-8', { fatal: true }).decode(bytes), []);
  } catch {
    // Windows-1252 from Excel's plain "CSV (Comma delimited)": other columns (display names) may
    // hold accented letters. Addresses are ASCII-only anyway, so read on and let the address
    // check reject any address the replacement characters touched.
    const warning = wholeFileProblem(
      'file is not valid UTF-8 (probably saved as "CSV (Comma delimited)" in a Windows code page); ' +
        'unreadable characters were replaced; save as "CSV UTF-8" to be sure',
    );
    return checkText(new TextDecoder('utf-8').decode(bytes), [warning]);
  }
}

function checkText(text: string, warnings: CsvProblem[]): DecodedCsvText {
  if (text.startsWith('PK\u0003\u0004')) {
    return fileProblem('file is an Excel workbook or another zip archive, not CSV; save it as "CSV UTF-8"');
  }
  // A UTF-16 byte order mark that reached us through a Latin-1 or UTF-8 decoder.
  if (/^(\u00ff\u00fe|\u00fe\u00ff|\ufffd\ufffd|\ufffe)/.test(text)) return fileProblem(UTF16_PROBLEM);
  if (text.includes('\u0000')) {
    // UTF-16 without a byte order mark: every other byte of ASCII text is zero.
    const head = text.slice(0, SNIFF_LENGTH);
    const zeros = head.split('\u0000').length - 1;
    if (zeros * 4 >= head.length) return fileProblem(UTF16_PROBLEM);
    return fileProblem('file contains NUL characters: it is not a text CSV file');
  }
  if (text.trim() === '') return fileProblem('file is empty');
  return { ok: true, text, warnings };
}

function stripBom(text: string): string {
  return text.startsWith('\ufeff') ? text.slice(1) : text;
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((byte, i) => bytes[i] === byte);
}

function fileProblem(message: string): DecodedCsvText {
  return { ok: false, problem: wholeFileProblem(message) };
}

/** Whole-file problems carry line 0 and no field (see CsvProblem). */
export function wholeFileProblem(message: string): CsvProblem {
  return { line: 0, field: '', message };
}
