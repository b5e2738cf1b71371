import { terminalSafe } from '../shared/domain/reports/terminal-text.js';

/** The engine's log lines on stderr: they quote folder names and server answers, so nothing in them may steer the terminal. */
export function writeLogLine(line: string): void {
  process.stderr.write(`${terminalSafe(line)}\n`);
}
