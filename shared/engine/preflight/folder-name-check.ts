import type { Settings } from '../../config/settings.js';
import type { FolderPlan } from '../../domain/folders/index.js';
import type { ImapSite } from '../../contracts/imap.js';
import { check, diagnosed } from './checks.js';
import type { PreflightCheck } from './types.js';

const LISTED = 20;
/** Skips that lose messages; VIRTUAL_FOLDER skips are views over other folders and lose nothing. */
const LOSING = new Set(['NAME_REJECTED', 'NAME_COLLISION']);

/**
 * Folder names the destination cannot take, from the same plan the migration will follow:
 * skipped folders fail (their messages would not arrive), renamed ones warn (they arrive under
 * another name: "Files" on Exchange, case collisions, the destination's delimiter in a name).
 */
export function checkFolderNames(plan: FolderPlan, settings: Settings, destinationMailbox: string, assumedDelimiter: boolean): PreflightCheck {
  const side: ImapSite = 'destination';
  const lost = plan.skipped.filter((s) => LOSING.has(s.code));
  const virtual = plan.skipped.length - lost.length;
  const lines = [
    ...lost.map((s) => `"${s.sourcePath}" not migrated: ${s.reason}`),
    ...plan.renamed.map((r) => `"${r.sourcePath}" -> "${r.destinationPath}": ${r.reason}`),
  ];
  const shown = lines.slice(0, LISTED).join('; ') + (lines.length > LISTED ? `; and ${lines.length - LISTED} more` : '');
  const notes = [
    virtual > 0 ? `${virtual} virtual folder(s) not copied (views of messages stored elsewhere)` : '',
    assumedDelimiter ? 'destination folders could not be listed: planned against an empty destination with "/" as its separator' : '',
  ].filter(Boolean).join('; ');
  const kind = `${settings.destination.serverKind} destination`;
  const ctx = { settings, mailbox: destinationMailbox };
  if (lost.length > 0) {
    const subcodes = [...new Set([...lost.map((s) => s.code), ...plan.renamed.map((r) => r.code)])];
    return diagnosed('folder-names', side, 'fail', { code: 'FOLDER_NAME_REJECTED', message: shown, detail: `${lost.length} folder(s) cannot be created on the ${kind}: ${shown}${notes ? `; ${notes}` : ''}` }, { ...ctx, subcodes });
  }
  if (plan.renamed.length > 0) {
    const subcodes = [...new Set(plan.renamed.map((r) => r.code))];
    return diagnosed('folder-names', side, 'warn', { code: 'FOLDER_RENAMED', message: shown, detail: `${plan.renamed.length} folder(s) renamed on the ${kind}: ${shown}${notes ? `; ${notes}` : ''}` }, { ...ctx, subcodes });
  }
  return check('folder-names', side, 'pass', `all ${plan.mappings.length} folder names fit the ${kind}${notes ? `; ${notes}` : ''}`);
}
