import type { CsvProblem } from '../../contracts/mailbox.js';

/** One problem as a line of text for the CLI and the human summary: `line 7, Email: ...`. */
export function formatCsvProblem(problem: CsvProblem): string {
  const where = problem.line > 0 ? `line ${problem.line}` : 'file';
  return problem.field === '' ? `${where}: ${problem.message}` : `${where}, ${problem.field}: ${problem.message}`;
}
