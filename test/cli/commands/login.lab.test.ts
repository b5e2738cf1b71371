import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loginCommand } from '../../../cli/commands/login.js';
import { bulkCorpus } from '../../lab/corpus.js';
import { entraControl } from '../../lab/control.js';
import { getLab, labSettings } from '../../lab/lab-info.js';
import { runThroughEngine } from '../../support/engine-run.js';
import { compareCopy, seededPair } from '../../support/lab-mailbox.js';
import { workDir } from '../../support/run-cli.js';
import { delegatedConsumerSource, newTokenCacheKey } from '../../support/delegated-source.js';
import { findLeaks } from '../../support/secrets-scan.js';

// oauth2-delegated end to end on the CLI's machine: `mailmig login` (device code, one per
// mailbox, the owner's sign-in played through the lab), then migrations that renew the tokens
// silently from the sealed cache; a revoked grant is "consent needed" for that mailbox only.

const lab = getLab();

afterAll(async () => {
  await entraControl.delegatedLifetimes(lab, { accessTokenSeconds: 3599 });
});

function filesUnder(dir: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const f of readdirSync(dir, { recursive: true }) as string[]) {
    const p = join(dir, f);
    if (statSync(p).isFile()) out[f] = readFileSync(p);
  }
  return out;
}

describe('mailmig login and oauth2-delegated (personal accounts, consumers authority)', () => {
  it('one code per mailbox; then the batch copies exactly, renewing short-lived tokens by refresh token; a revoked grant: that mailbox "consent needed", the other completes', async () => {
    const a = await seededPair(lab, 'deleg-a', bulkCorpus(12, { folders: 2, seed: 'deleg-a' }));
    const b = await seededPair(lab, 'deleg-b', bulkCorpus(6, { folders: 1, seed: 'deleg-b' }));
    const keyName = await newTokenCacheKey(lab);
    const settings = labSettings(lab, { STORAGE_CONNECTION_STRING: '', ...delegatedConsumerSource(keyName) });
    const work = workDir(settings, `Email\r\n${a}\r\n${b}\r\n`);
    // Tokens live a minute: every new session redeems the refresh token (MSAL renews under 5 minutes left).
    await entraControl.delegatedLifetimes(lab, { accessTokenSeconds: 60 });

    const lines: string[] = [];
    let current = '';
    const code = await loginCommand({ csv: work.csvPath, side: 'source', settings: work.settingsPath }, (line) => {
      lines.push(line);
      const who = /^(\S+@\S+) \(source\):$/.exec(line);
      if (who) current = who[1]!;
      const userCode = /enter the code ([0-9A-F]+)/.exec(line)?.[1];
      if (userCode) void entraControl.approveDeviceCode(lab, userCode, current);
    });
    expect(code, lines.join('\n')).toBe(0);
    expect(lines.filter((l) => /devicelogin and enter the code/.test(l))).toHaveLength(2);
    expect(lines.at(-1)).toBe('2 of 2 mailboxes signed in');

    const stateDir = join(work.dir, 'state');
    const first = await runThroughEngine(lab, [a, b], { stateDir, settings: { ...settings, STATE_DIR: stateDir } });
    expect(first.report.mailboxes.map((m) => m.state), first.log.join('\n')).toEqual(['completed', 'completed']);
    expect((await compareCopy(lab, a)).diffs).toEqual([]);
    expect((await compareCopy(lab, b)).diffs).toEqual([]);
    const issued = (await entraControl.delegatedStats(lab)).issued;
    expect(issued[a.toLowerCase()]?.deviceCode).toBe(1);
    expect(issued[a.toLowerCase()]?.refreshToken).toBeGreaterThanOrEqual(1);

    await entraControl.revokeUser(lab, b);
    const second = await runThroughEngine(lab, [a, b], { stateDir, settings: { ...settings, STATE_DIR: stateDir } });
    const [ra, rb] = second.report.mailboxes;
    expect(ra?.state).toBe('completed');
    expect(rb?.state).toBe('failed');
    expect(rb?.error?.code).toBe('CONSENT_NEEDED');
    expect(rb?.error?.message).toContain(`consent needed for ${b} (source)`);
    expect(rb?.error?.message).toContain('mailmig login --csv <the CSV> --side source');

    // The caches rest sealed: no refresh or access token, no account name in the files.
    const files = filesUnder(join(stateDir, 'token-cache'));
    expect(Object.keys(files)).toHaveLength(2);
    for (const [f, bytes] of Object.entries(files)) {
      const text = bytes.toString('latin1');
      for (const plain of ['RefreshToken', '0.lab.', 'eyJ', a, b]) expect(text.includes(plain), `${f} holds ${plain}`).toBe(false);
    }
    const texts: Record<string, string> = { login: lines.join('\n'), first: JSON.stringify(first.report) + first.log.join('\n'), second: JSON.stringify(second.report) + second.log.join('\n') };
    for (const [f, text] of Object.entries(filesUnder(stateDir))) if (!f.startsWith('token-cache')) texts[`state ${f}`] = text.toString('utf8');
    expect(findLeaks(lab, texts)).toEqual([]);
    for (const [where, text] of Object.entries(texts)) expect(/0\.lab\.[A-Za-z0-9_-]{20}/.test(text), `a refresh token in ${where}`).toBe(false);
  }, 120_000);
});
