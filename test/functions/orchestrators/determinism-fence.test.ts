import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

// The fence is syntactic. Typed rules are switched off here: they need the linted file in the
// TypeScript project, and the planted orchestrators below exist only as text (`npm run lint`
// still runs the typed rules on the real orchestrators).
const eslint = new ESLint({ cwd: process.cwd(), overrideConfig: tseslint.configs.disableTypeChecked });
const asOrchestrator = async (code: string): Promise<string[]> => {
  const [r] = await eslint.lintText(code, { filePath: 'functions/orchestrators/planted.ts' });
  return (r?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
};

const header = "import * as df from 'durable-functions';\nimport type { OrchestrationContext } from 'durable-functions';\n";

describe('determinism fence', () => {
  it('fence: a clean orchestrator importing contracts and domain passes', async () => {
    const code = `${header}import { ACTIVITIES } from '../../../shared/contracts/functions.js';\nimport { planRanges } from '../../../shared/domain/ranges/range-planner.js';\nexport const o = function* (c: OrchestrationContext) { yield c.df.callActivity(ACTIVITIES.readBatchPage, planRanges([], { maxMessages: 1, maxBytes: 1, maxMessageBytes: 1 })); return c.df.currentUtcDateTime.toISOString(); };\ndf.app.orchestration('o', o);\n`;
    expect(await asOrchestrator(code)).toEqual([]);
  });

  it('fence: an orchestrator importing an SDK or an adapter fails', async () => {
    const sdk = await asOrchestrator(`${header}import { ImapFlow } from 'imapflow';\nexport const x = ImapFlow;\n`);
    expect(sdk.join('\n')).toMatch(/no-restricted-imports/);
    const adapter = await asOrchestrator(`${header}import { copyRange } from '../../../shared/engine/copy-range.js';\nexport const x = copyRange;\n`);
    expect(adapter.join('\n')).toMatch(/no-restricted-imports/);
    const builtin = await asOrchestrator(`${header}import { randomUUID } from 'node:crypto';\nexport const x = randomUUID;\n`);
    expect(builtin.join('\n')).toMatch(/no-restricted-imports/);
  });

  it('fence: Date.now(), new Date(), Math.random, process.env and timers in an orchestrator fail', async () => {
    const msgs = (await asOrchestrator(`${header}export const o = function* (c: OrchestrationContext) { const a = Date.now(); const b = new Date(); const r = Math.random(); const e = process.env.X; setTimeout(() => 0, 1); yield c.df.callActivity('x', [a, b, r, e]); };\n`)).join('\n');
    expect(msgs).toMatch(/Date.now|currentUtcDateTime/);
    expect(msgs).toMatch(/new Date\(\)/);
    expect(msgs).toMatch(/Math.random|Not deterministic/);
    expect(msgs).toMatch(/process/);
    expect(msgs).toMatch(/setTimeout|createTimer/);
  });

  it('fence: the real orchestrators in functions/orchestrators pass', async () => {
    const results = await eslint.lintFiles(['functions/orchestrators/*.ts']);
    expect(results.length).toBeGreaterThanOrEqual(3);
    expect(results.flatMap((r) => r.messages.map((m) => `${r.filePath}: ${m.message}`))).toEqual([]);
  });
});
