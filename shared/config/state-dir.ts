import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * Where the CLI keeps its ledger and reports when STATE_DIR is not set: a per-user state
 * directory (XDG Base Directory: $XDG_STATE_HOME, else ~/.local/state; %LOCALAPPDATA% on
 * Windows), never the current directory — the same batch started from another directory must
 * find the same ledger. A relative XDG_STATE_HOME is ignored, as the specification says.
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir(), platform: NodeJS.Platform = process.platform): string {
  const xdg = env.XDG_STATE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'mailmig');
  if (platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'mailmig', 'state');
  return join(home, '.local', 'state', 'mailmig');
}
