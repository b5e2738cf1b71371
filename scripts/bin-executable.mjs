// After the bundle: rolldown rewrites dist/bin/ (cleanDir) and the entry loses its run bit, so
// `npx mailmig` from the project answered "Permission denied". Runs on every build.
import { chmodSync, statSync } from 'node:fs';
import { URL } from 'node:url';

const bin = new URL('../dist/bin/mailmig.js', import.meta.url);
chmodSync(bin, statSync(bin).mode | 0o111);
