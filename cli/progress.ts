import { terminalSafe } from '../shared/domain/reports/terminal-text.js';

/**
 * Live progress: one rewritten line on a terminal, plain lines (at most every few seconds)
 * otherwise, so CI logs and redirected output stay readable.
 */
export class Progress {
  private mailboxesDone = 0;
  private messages = 0;
  private bytes = 0;
  private lastPlain = 0;
  private readonly started = Date.now();
  private readonly tty: boolean;

  constructor(private readonly total: number, private readonly out: NodeJS.WriteStream = process.stderr) {
    this.tty = Boolean(out.isTTY) && process.env.TERM !== 'dumb';
  }

  copied(n: number, bytes: number): void {
    this.messages += n;
    this.bytes += bytes;
    this.render(false);
  }

  /** One more mailbox done; `line` printed above the progress line, when given. */
  mailboxDone(line?: string): void {
    this.mailboxesDone += 1;
    if (line === undefined) return this.render(true);
    this.note(line);
  }

  /** A line printed above the progress line (a mailbox paused, say). */
  note(line: string): void {
    if (this.tty) this.out.write('\r\x1b[2K');
    this.out.write(`${terminalSafe(line)}\n`);
    this.render(true);
  }

  private render(force: boolean): void {
    const secs = Math.max(0.001, (Date.now() - this.started) / 1000);
    const text = `mailboxes ${this.mailboxesDone}/${this.total}  messages ${this.messages}  ${(this.bytes / 1048576).toFixed(1)} MB  ${(this.messages / secs).toFixed(0)} msg/s`;
    if (this.tty) this.out.write(`\r\x1b[2K${text}`);
    else if (force || Date.now() - this.lastPlain > 5000) {
      this.lastPlain = Date.now();
      this.out.write(`progress: ${text}\n`);
    }
  }

  end(): void {
    if (this.tty) this.out.write('\n');
  }
}
