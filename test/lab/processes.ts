import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';

/**
 * Child processes of the lab (Dovecot, Azurite). Each is started in its own process group
 * (`detached`), so one signal to the group also reaches the processes it forked (Dovecot's
 * auth, imap-login and imap children). Three layers make sure nothing outlives the lab:
 *   1. `stop()` on normal teardown: SIGTERM to the group, SIGKILL after a grace period;
 *   2. a synchronous SIGKILL of every live group on this process's `exit` event;
 *   3. a watchdog shell (startWatchdog) that kills the groups listed in a pid file once this
 *      process is gone — the only layer that survives a SIGKILL of the test runner.
 */
export interface LabProcess {
  readonly name: string;
  readonly pid: number;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  readonly exited: Promise<string>;
  /** Exit reason once exited, otherwise undefined. */
  exitReason(): string | undefined;
  /** The last 64 KB of stdout + stderr. */
  output(): string;
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone: nothing to do.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of live) killGroup(pid, 'SIGKILL');
  });
}

/** Starts `command` in its own process group and records its pid in `pidFile` for the watchdog. */
export function spawnLabProcess(
  name: string,
  command: string,
  args: readonly string[],
  opts: { pidFile: string; cwd?: string; env?: NodeJS.ProcessEnv },
): LabProcess {
  installExitHook();
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (chunk: Buffer): void => {
    out = (out + chunk.toString('utf8')).slice(-65536);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let reason: string | undefined;
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => {
      reason = `${name} could not start: ${err.message}`;
      resolve(reason);
    });
    child.once('exit', (code, signal) => {
      reason = signal !== null ? `signal ${signal}` : `exit code ${String(code)}`;
      resolve(reason);
    });
  });
  const pid = child.pid;
  if (pid === undefined) {
    // spawn() failed synchronously (e.g. ENOENT); the 'error' event carries the reason.
    return {
      name,
      pid: -1,
      exited,
      exitReason: () => reason ?? `${name} could not start`,
      output: () => out,
      stop: async () => undefined,
    };
  }
  live.add(pid);
  void exited.then(() => live.delete(pid));
  appendFileSync(opts.pidFile, `${pid}\n`);
  return {
    name,
    pid,
    exited,
    exitReason: () => reason,
    output: () => out,
    async stop(graceMs = 3000): Promise<void> {
      if (reason !== undefined) {
        killGroup(pid, 'SIGKILL'); // the leader is gone; make sure its children are too
        return;
      }
      killGroup(pid, 'SIGTERM');
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
      if ((await Promise.race([exited, timer])) === 'timeout') killGroup(pid, 'SIGKILL');
      await exited;
      killGroup(pid, 'SIGKILL');
    },
  };
}

/**
 * A detached shell that waits for this process to end, then kills every process group listed in
 * `pidFile` and removes `scratchDir` (Dovecot's sockets; the lab directory itself is kept for a
 * post-mortem and removed by the next startLab). Returned stop() ends the watchdog itself.
 * (dash's kill takes no "--": the group is "-PID".)
 */
export function startWatchdog(pidFile: string, scratchDir: string): { stop(): void } {
  const script = [
    'while kill -0 "$1" 2>/dev/null; do sleep 0.5; done',
    'for p in $(cat "$2" 2>/dev/null); do kill -TERM "-$p" 2>/dev/null; done',
    'sleep 2',
    'for p in $(cat "$2" 2>/dev/null); do kill -KILL "-$p" 2>/dev/null; done',
    'rm -rf "$3"',
  ].join('\n');
  const child = spawn('sh', ['-c', script, 'mailmig-lab-watchdog', String(process.pid), pidFile, scratchDir], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  return {
    stop(): void {
      if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
    },
  };
}
