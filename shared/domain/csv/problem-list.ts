import type { CsvProblem } from '../../contracts/mailbox.js';

/** At most this many problems are returned, the last one saying how many were left out. */
export const MAX_LISTED_PROBLEMS = 1000;

/**
 * Orders problems by line (whole-file problems, line 0, first; stable otherwise) and caps the
 * list: a 50,000-row file with a wrong column can produce 50,000 identical problems, and the
 * list travels in an HTTP 400 body and an `.errors.json` blob.
 */
export function capProblems(problems: readonly CsvProblem[], max = MAX_LISTED_PROBLEMS): CsvProblem[] {
  const ordered = [...problems].sort((a, b) => a.line - b.line);
  if (ordered.length <= max) return ordered;
  const kept = ordered.slice(0, max - 1);
  const left = ordered.length - kept.length;
  return [...kept, { line: 0, field: '', message: `and ${left} more problems not listed` }];
}
