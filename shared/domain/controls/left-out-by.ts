import type { ExcludedFolder } from '../../contracts/mailbox-controls.js';

/** Why a folder was left out, as the report and preflight say it. */
export function leftOutBy(x: ExcludedFolder): string {
  return x.rule === 'exclude' ? `excluded by pattern "${x.pattern}"` : `not matched by any include pattern ("${x.pattern}")`;
}
