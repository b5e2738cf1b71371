/**
 * The app as the Functions host sees it: dist/functions/index.js imported the way the Node worker
 * imports it, with `@azure/functions-core` answered by a stand-in that records every
 * registerFunction call (test/support/functions-core-standin.mjs), in a child process. The
 * recorded bindings are checked against the contract constants and the app settings both
 * deployment stacks set. Needs `npm run build` (npm test builds first).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTIVITIES, ORCHESTRATORS, TRIGGERS } from '../../shared/contracts/functions.js';
import { bicepFactsFromText, parseTerraformFiles, repoRoot, terraformBodies, terraformFacts, readBicep } from '../infra/stacks.js';
import { registerFunctions, type Binding, type Registration } from '../support/register-functions.js';
import { VALID_SETTINGS } from '../support/valid-settings.js';

const entry = join(repoRoot, 'dist', 'functions', 'index.js');
const register = (env: Record<string, string>): ReturnType<typeof registerFunctions> => registerFunctions(entry, env);

const triggerOf = (r: Registration): Binding | undefined => Object.values(r.bindings).find((b) => b.direction === 'in' && /Trigger$/.test(b.type));

/**
 * Why a binding would not work in a deployment: a `connection` must name a connection the stack
 * defines (the setting itself or its identity-based `__accountName`/`__serviceUri` forms), and
 * every %SETTING% in a binding must be an app setting the stack sets.
 */
function bindingProblems(registrations: readonly Registration[], stacks: Readonly<Record<string, ReadonlySet<string>>>): string[] {
  const problems: string[] = [];
  for (const r of registrations) {
    for (const [bindingName, b] of Object.entries(r.bindings)) {
      for (const [stack, settings] of Object.entries(stacks)) {
        const connection = b.connection;
        if (typeof connection === 'string') {
          const forms = [connection, `${connection}__accountName`, `${connection}__serviceUri`, `${connection}__blobServiceUri`];
          if (!forms.some((f) => settings.has(f))) problems.push(`${r.name}.${bindingName}: connection "${connection}" is not defined by ${stack}`);
        }
        for (const m of JSON.stringify(b).matchAll(/%([A-Za-z0-9_]+)%/g)) {
          if (m[1] && !settings.has(m[1])) problems.push(`${r.name}.${bindingName}: %${m[1]}% is not set by ${stack}`);
        }
      }
    }
  }
  return problems;
}

let registrations: Registration[];
let stacks: Record<string, Set<string>>;

beforeAll(async () => {
  if (!existsSync(entry)) throw new Error('dist/functions/index.js is missing: run `npm run build` first');
  registrations = (await register({ ...VALID_SETTINGS })).registrations;
  const tf = await parseTerraformFiles();
  stacks = {
    bicep: new Set(bicepFactsFromText().appSettings.keys()),
    terraform: new Set(terraformFacts(tf).appSettings.keys()),
  };
}, 120_000);

describe('the functions the worker registers (dist/functions/index.js)', () => {
  it('are exactly the contract constants: orchestrators, activities and triggers', () => {
    const expected = [...Object.values(ORCHESTRATORS), ...Object.values(ACTIVITIES), ...Object.values(TRIGGERS)].sort();
    expect(registrations.map((r) => r.name).sort()).toEqual(expected);
  });

  it('have the trigger type of their kind', () => {
    const byName = new Map(registrations.map((r) => [r.name, triggerOf(r)?.type]));
    for (const n of Object.values(ORCHESTRATORS)) expect(byName.get(n), n).toBe('orchestrationTrigger');
    for (const n of Object.values(ACTIVITIES)) expect(byName.get(n), n).toBe('activityTrigger');
    expect(byName.get(TRIGGERS.onMigrationCsvUploaded)).toBe('blobTrigger');
    for (const n of Object.values(TRIGGERS).filter((t) => t.startsWith('http'))) expect(byName.get(n), n).toBe('httpTrigger');
  });

  it('expose HTTP only with function keys, each on its own route; the one exception is the consent callback the authority redirects to', () => {
    const http = registrations.map(triggerOf).filter((t): t is Binding => t?.type === 'httpTrigger');
    expect(http.length).toBeGreaterThan(0);
    const callback = triggerOf(registrations.find((r) => r.name === TRIGGERS.httpConsentCallback) ?? { name: '', bindings: {} });
    expect(callback?.authLevel).toBe('anonymous');
    for (const t of http.filter((b) => b !== callback)) expect(t.authLevel, String(t.route)).toBe('function');
    const routes = http.map((t) => String(t.route));
    expect(new Set(routes).size).toBe(routes.length);
  });

  it('take CSVs from <MIGRATIONS_CONTAINER>/incoming/ through Event Grid, as both stacks subscribe it', () => {
    const blob = triggerOf(registrations.find((r) => r.name === TRIGGERS.onMigrationCsvUploaded) ?? { name: '', bindings: {} });
    expect(blob?.path).toBe('%MIGRATIONS_CONTAINER%/incoming/{name}');
    expect(blob?.source).toBe('EventGrid');
  });

  it('use only connections and %settings% that both stacks define', () => {
    expect(bindingProblems(registrations, stacks)).toEqual([]);
  });

  it('a binding whose connection setting is renamed is caught', () => {
    const renamed = registrations.map((r) => ({
      ...r,
      bindings: Object.fromEntries(Object.entries(r.bindings).map(([k, b]) => [k, b.connection === 'AzureWebJobsStorage' ? { ...b, connection: 'MailmigStorage' } : b])),
    }));
    const problems = bindingProblems(renamed, stacks);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(new RegExp(`^${TRIGGERS.onMigrationCsvUploaded}\\.blobTrigger\\w*: connection "MailmigStorage" is not defined by bicep$`));
    expect(problems[1]).toMatch(/connection "MailmigStorage" is not defined by terraform$/);
  });

  it('a %setting% no stack sets is caught', () => {
    const moved = registrations.map((r) => ({
      ...r,
      bindings: Object.fromEntries(Object.entries(r.bindings).map(([k, b]) => [k, typeof b.path === 'string' ? { ...b, path: b.path.replace('%MIGRATIONS_CONTAINER%', '%INTAKE_CONTAINER%') } : b])),
    }));
    expect(bindingProblems(moved, stacks).length).toBe(2);
  });

  it('are all registered even when the settings are wrong, and the start-up log names keys, not values', async () => {
    const { registrations: withBadSettings, stderr } = await register({ ...VALID_SETTINGS, KEY_VAULT_URL: 'http://not-https-s3cr3t.example', SOURCE_IMAP_PORT: 'port-s3cr3t' });
    expect(withBadSettings.map((r) => r.name).sort()).toEqual(registrations.map((r) => r.name).sort());
    expect(stderr).toContain('KEY_VAULT_URL');
    expect(stderr).toContain('SOURCE_IMAP_PORT');
    expect(stderr).not.toContain('s3cr3t');
  }, 60_000);
});

describe('the Event Grid subscription matches the blob trigger', () => {
  it('terraform: the subject filter and MIGRATIONS_CONTAINER come from the same variable', async () => {
    const tf = await parseTerraformFiles();
    const [sub] = terraformBodies(tf, 'resource', 'azurerm_eventgrid_system_topic_event_subscription').values();
    const filter = JSON.stringify(sub?.subject_filter);
    const container = terraformFacts(tf).appSettings.get('MIGRATIONS_CONTAINER') ?? '';
    expect(filter).toContain(`/blobServices/default/containers/${container}/blobs/incoming/`);
  });

  it('bicep: the subscription and MIGRATIONS_CONTAINER take the same storage output, and the function name from the contract', () => {
    const main = readBicep('main.bicep');
    const eventGrid = /module eventGrid [\s\S]*?^\}/m.exec(main)?.[0] ?? '';
    const functionApp = /module functionApp [\s\S]*?^\}/m.exec(main)?.[0] ?? '';
    expect(eventGrid).toContain('migrationsContainerName: storage.outputs.migrationsContainerName');
    expect(functionApp).toContain('migrationsContainerName: storage.outputs.migrationsContainerName');
    expect(eventGrid).toContain(`blobTriggerFunctionName: '${TRIGGERS.onMigrationCsvUploaded}'`);
  });
});
