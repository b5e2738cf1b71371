import type { GoneFolderReport } from '../../contracts/report.js';

/** What became of a folder gone at the source, in words, for the HTML report and the CSV. */
export function goneFolderOutcome(g: GoneFolderReport): string {
  const removed = g.removedAtCutover ? `${g.removedAtCutover} copied message(s) removed at the destination; ` : '';
  if (g.folderDeleted) return `${removed}its copy ${g.destinationPath} was deleted at the destination`;
  if (g.keptBecause) return `${removed}its copy ${g.destinationPath} is kept: ${g.keptBecause}`;
  return `its copy ${g.destinationPath} is left at the destination`;
}
