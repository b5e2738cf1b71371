import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreflightReport } from '../../../shared/engine/preflight/index.js';
import { bulkCorpus } from '../../lab/corpus.js';
import { getLab, labSettings } from '../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../lab/mailboxes.js';
import { seedMailbox } from '../../lab/seed.js';
import { workDir, type CliResult } from '../../support/run-cli.js';
import { findLeaks } from '../../support/secrets-scan.js';

/**
 * `mailmig preflight` as a whole process, as an admin runs it. The CLI is compiled into a
 * private directory first (about 4 s), so this file neither needs nor disturbs a shared dist/
 * that other test files may be running at the same moment.
 */

const root = resolve('.');
let build: string;
let cli: string;
const lab = getLab();
const outputs: Record<string, string> = {};

function run(args: string[]): Promise<CliResult> {
  const env: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'NODE_EXTRA_CA_CERTS', 'TMPDIR']) if (process.env[k]) env[k] = process.env[k]!;
  const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((res) => child.on('close', (code) => res({ code, stdout, stderr })));
}

beforeAll(async () => {
  build = mkdtempSync(join(tmpdir(), 'mailmig-preflight-cli-'));
  writeFileSync(join(build, 'tsconfig.json'), JSON.stringify({
    extends: join(root, 'tsconfig.json'),
    compilerOptions: { rootDir: root, outDir: join(build, 'out'), typeRoots: [join(root, 'node_modules/@types')], sourceMap: false, noEmitOnError: false, incremental: false },
    include: [],
    files: [join(root, 'cli/main.ts')],
  }));
  // Emitted JS resolves its packages from here; "type": "module" makes Node load it as ESM.
  symlinkSync(join(root, 'node_modules'), join(build, 'node_modules'));
  writeFileSync(join(build, 'package.json'), '{"type": "module"}');
  await promisify(execFile)(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(build, 'tsconfig.json')]).catch((e: { stdout?: string }) => {
    // Type errors elsewhere in the tree still emit; only a missing entry point is fatal.
    if (!existsSync(join(build, 'out/cli/main.js'))) throw new Error(`tsc emitted no CLI: ${e.stdout ?? ''}`);
  });
  cli = join(build, 'out/cli/main.js');
}, 120_000);

afterAll(() => {
  if (build) rmSync(build, { recursive: true, force: true });
});

describe('mailmig preflight (the built CLI against the lab)', () => {
  it('preflight: ready mailboxes print PASS, exit 0, and the JSON report holds every check', async () => {
    const a = uniqueAddress('pf-cli-ok');
    await addMailbox(lab, 'source', a);
    await addMailbox(lab, 'destination', a);
    await seedMailbox(lab, 'source', a, bulkCorpus(4, { folders: 1, seed: a }));
    const w = workDir(labSettings(lab, { STORAGE_CONNECTION_STRING: '' }), `Email\r\n${a}\r\n`);
    const report = join(w.dir, 'preflight.json');

    const started = Date.now();
    const r = await run(['preflight', '--csv', w.csvPath, '--settings', w.settingsPath, '--report', report]);
    console.log(`mailmig preflight, 1 mailbox: ${Date.now() - started} ms (process start included)`);
    outputs.ok = r.stdout + r.stderr;
    outputs.okReport = readFileSync(report, 'utf8');

    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^PASS ${a} -> ${a} \\(\\d+ folders, 4 messages`, 'm'));
    expect(r.stdout).toContain('1 PASS (0 with warnings), 0 FAIL');
    const json = JSON.parse(outputs.okReport) as PreflightReport;
    expect(json.mailboxes[0]!.ok).toBe(true);
    expect(json.mailboxes[0]!.checks).toHaveLength(11);
  });

  it('preflight: a mailbox without a grant prints FAIL with the cause and the fix, exit 1; the ready one still passes', async () => {
    const ready = uniqueAddress('pf-cli-ready');
    const missing = uniqueAddress('pf-cli-nogrant');
    await addMailbox(lab, 'source', ready);
    await addMailbox(lab, 'destination', ready);
    await addMailbox(lab, 'destination', missing);
    const w = workDir(labSettings(lab, { STORAGE_CONNECTION_STRING: '' }), `SourceEmail;DestinationEmail\r\n${ready};${ready}\r\n${missing};${missing}\r\n`);

    const r = await run(['preflight', '--csv', w.csvPath, '--settings', w.settingsPath, '--concurrency', '2', '--propagation-window', '0']);
    outputs.fail = r.stdout + r.stderr;

    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain(`PASS ${ready} -> ${ready}`);
    expect(r.stdout).toContain(`FAIL ${missing} -> ${missing}`);
    expect(r.stdout).toMatch(/ {2}FAIL login \(source\): source IMAP: .*AUTHENTICATIONFAILED/);
    expect(r.stdout).toMatch(/ {6}cause: .*the app has no FullAccess on this mailbox/);
    expect(r.stdout).toContain(`Add-MailboxPermission -Identity '${missing}'`);
    expect(r.stdout).toContain('1 PASS (0 with warnings), 1 FAIL. Report: ');
    const path = /Report: (.+)$/m.exec(r.stdout)![1]!;
    expect(path.startsWith(join(w.dir, 'state', 'reports', 'preflight-'))).toBe(true);
    outputs.failReport = readFileSync(path, 'utf8');
    const json = JSON.parse(outputs.failReport) as PreflightReport;
    expect(json.totals).toMatchObject({ mailboxes: 2, passed: 1, failed: 1 });
  });

  it('preflight: a bad CSV or a bad settings file is exit 2 and contacts nothing', async () => {
    const good = labSettings(lab, { STORAGE_CONNECTION_STRING: '' });
    const badCsv = workDir(good, 'Email\r\nnot-an-address\r\n');
    const r1 = await run(['preflight', '--csv', badCsv.csvPath, '--settings', badCsv.settingsPath]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/line 2, field Email/);

    const badSettings = workDir(labSettings(lab, { SOURCE_IMAP_PORT: 'port-hunter2' }), 'Email\r\nok@contoso.example\r\n');
    const r2 = await run(['preflight', '--csv', badSettings.csvPath, '--settings', badSettings.settingsPath]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('SOURCE_IMAP_PORT');
    expect(r2.stderr).not.toContain('hunter2');

    const r3 = await run(['preflight', '--csv', badCsv.csvPath, '--settings', join(badCsv.dir, 'nope.json')]);
    expect(r3.code).toBe(2);
    const r4 = await run(['preflight', '--csv', badSettings.csvPath, '--settings', badCsv.settingsPath, '--propagation-window', 'soon']);
    expect(r4.code).toBe(2);
    expect(r4.stderr).toContain('--propagation-window');
    outputs.bad = [r1, r2, r3, r4].map((r) => r.stdout + r.stderr).join('\n');
  });

  it('no secret value, private key or token appears in the output or the report', () => {
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['ok', 'okReport', 'fail', 'failReport', 'bad']));
    expect(findLeaks(lab, outputs)).toEqual([]);
  });
});
