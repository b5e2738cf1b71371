/**
 * What would break or hurt a first real deployment (issue 16's findings), checked on the
 * compiled Bicep (`bicep snapshot` with parameters) and the parsed Terraform. Each `describe`
 * names its finding; every test here failed on the templates before the fixes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { SETTING_SPECS } from '../../shared/config/schema.js';
import { TRIGGERS } from '../../shared/contracts/functions.js';
import {
  bicepFactsFromSnapshot,
  bicepSnapshot,
  ensureBicepCli,
  isObject,
  parseTerraformFiles,
  readBicep,
  repoRoot,
  snapshotResources,
  terraformBodies,
  terraformLocals,
  terraformVariables,
  type Json,
  type TerraformFile,
} from './stacks.js';

const MB = 1048576;
const ACTIVITY_SETTING = 'AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions';
/** The per-instance budget both stacks apply (main.bicep, function-app.tf): runtime at rest, and per activity its append pipeline plus a message read and one written. */
const RUNTIME_MB = 256;
const PIPELINE_MB = 16;
const DURABLE_TASK_DATA_CONTRIBUTOR = '0ad04412-c4d5-4796-b79c-f76d14c8d402';

type JsonObject = { [key: string]: Json };

let tf: TerraformFile[];
let bicepCli: string | undefined;
/** Snapshots by scenario; undefined without the Bicep CLI. */
const snapshots: Record<string, JsonObject | undefined> = {};
/** Why a scenario's snapshot failed (the compiler's message), if it did. */
const snapshotErrors: Record<string, string> = {};

const SCENARIOS: Record<string, string[]> = {
  // The default deployment, on a provision after the first deploy (postdeploy turned the subscription on).
  default: ['param blobTriggerSubscriptionEnabled = true'],
  scheduler: [`param durableBackend = 'scheduler'`],
  separate: [`param durableBackend = 'storage-separate'`],
  bigMessages: ['param tuning = { maxMessageBytes: 157286400 }'],
  tooSmall: ['param instanceMemoryMB = 512', 'param tuning = { maxMessageBytes: 157286400 }'],
};

beforeAll(async () => {
  tf = await parseTerraformFiles();
  bicepCli = await ensureBicepCli();
  if (!bicepCli) return;
  const cli = bicepCli;
  await Promise.all(Object.entries(SCENARIOS).map(async ([name, params]) => {
    snapshots[name] = await bicepSnapshot(cli, params).catch((e: { stderr?: string; stdout?: string; message?: string }) => {
      snapshotErrors[name] = `${e.stdout ?? ''}${e.stderr ?? ''}${e.message ?? ''}`;
      return undefined;
    });
  }));
}, 300_000);

function snapshot(name: string, skip: (note: string) => void): JsonObject {
  if (!bicepCli) skip('needs the Bicep CLI (bicep snapshot)');
  const s = snapshots[name];
  if (!s) throw new Error(`bicep snapshot "${name}" failed: ${snapshotErrors[name] ?? '?'}`);
  return s;
}

const one = (resources: JsonObject[], what: string): JsonObject => {
  expect(resources.length, what).toBe(1);
  return resources[0] ?? {};
};
const props = (r: JsonObject): JsonObject => (isObject(r.properties) ? r.properties : {});
const at = (v: Json | undefined, ...path: (string | number)[]): Json | undefined => {
  let cur: Json | undefined = v;
  for (const p of path) {
    if (Array.isArray(cur) && typeof p === 'number') cur = cur[p];
    else if (isObject(cur) && typeof p === 'string') cur = cur[p];
    else return undefined;
  }
  return cur;
};
const tfOne = (kind: 'resource' | 'data', type: string, name: string): JsonObject => {
  const body = terraformBodies(tf, kind, type).get(name);
  if (!body) throw new Error(`terraform: no ${kind} ${type}.${name}`);
  return body;
};
const appSettingsOf = (name: string, skip: (note: string) => void): Map<string, string> => bicepFactsFromSnapshot(snapshot(name, skip)).appSettings;

/** Evaluates one of our Terraform arithmetic expressions (min, floor, ceil, + - * /, >=) for given variables. */
function evalTerraform(expr: string, vars: { memory: number; maxMessageBytes: number }): number | boolean {
  const body = expr.replace(/^\$\{/, '').replace(/\}$/, '')
    .replaceAll('var.instance_memory_mb', String(vars.memory))
    .replaceAll('var.tuning.max_message_bytes', String(vars.maxMessageBytes));
  if (!/^[\d\s+\-*/()<>=,.a-z]*$/.test(body) || /[a-z]/.test(body.replace(/\b(min|floor|ceil)\(/g, '('))) throw new Error(`cannot evaluate ${expr}`);
  return runInNewContext(body, { min: Math.min, floor: Math.floor, ceil: Math.ceil }) as number | boolean;
}

describe('1. Durable on Flex Consumption with the Azure Storage provider', () => {
  const host = JSON.parse(readFileSync(join(repoRoot, 'host.json'), 'utf8')) as { extensions: { durableTask: { storageProvider: Record<string, unknown>; maxConcurrentActivityFunctions: number } } };
  const provider = host.extensions.durableTask.storageProvider;

  it('host.json: 16 partitions, the most the provider allows: fixed when the task hub is created, and the cap on how many instances run orchestrations at once', () => {
    expect(provider.partitionCount).toBe(16);
  });

  it('host.json: the task hub queues are polled at least every few seconds (maxQueuePollingInterval, default 30 s)', () => {
    const [h, m, s] = String(provider.maxQueuePollingInterval).split(':').map(Number);
    expect((h ?? 99) * 3600 + (m ?? 99) * 60 + (s ?? 99)).toBeLessThanOrEqual(10);
  });

  it('bicep: one always-ready instance for the `durable` group', ({ skip }) => {
    const site = one(snapshotResources(snapshot('default', skip), 'Microsoft.Web/sites'), 'sites');
    expect(at(props(site), 'functionAppConfig', 'scaleAndConcurrency', 'alwaysReady')).toEqual([{ name: 'durable', instanceCount: 1 }]);
  });

  it('terraform: one always-ready instance for the `durable` group', () => {
    const app = tfOne('resource', 'azurerm_function_app_flex_consumption', 'main');
    // A `dynamic "always_ready"` block (so 0 turns it off) or a plain one.
    const block = JSON.stringify(at(app.dynamic, 'always_ready') ?? at(app.dynamic, 0, 'always_ready') ?? app.always_ready ?? null);
    expect(block).toContain('"name":"durable"');
    expect(block).toContain('var.durable_always_ready_instances');
    expect(terraformVariables(tf).get('durable_always_ready_instances')?.default).toBe(1);
  });
});

describe('2. the Event Grid subscription: declared in IaC with the blobs_extension key, or created with retries', () => {
  it('bicep declares it (once the code is deployed) with the key read by listKeys, for the registered trigger and <migrations>/incoming/*.csv', ({ skip }) => {
    const sub = one(snapshotResources(snapshot('default', skip), 'Microsoft.EventGrid/systemTopics/eventSubscriptions'), 'subscriptions');
    const url = String(at(props(sub), 'destination', 'properties', 'endpointUrl'));
    expect(url).toContain(`/runtime/webhooks/blobs?functionName=Host.Functions.{1}&code={2}`);
    expect(url).toContain(`'${TRIGGERS.onMigrationCsvUploaded}'`);
    expect(url).toMatch(/listKeys\('[^']+\/host\/default', '[^']+'\)\.systemKeys\.blobs_extension/);
    expect(at(props(sub), 'filter', 'includedEventTypes')).toEqual(['Microsoft.Storage.BlobCreated']);
    expect(at(props(sub), 'filter', 'subjectBeginsWith')).toBe('/blobServices/default/containers/migrations/blobs/incoming/');
    expect(at(props(sub), 'filter', 'subjectEndsWith')).toBe('.csv');
  });

  it('azd turns the Bicep subscription on once the hook has made it (MAILMIG_BLOB_SUBSCRIPTION)', () => {
    const params = JSON.parse(readFileSync(join(repoRoot, 'infra', 'bicep', 'main.parameters.json'), 'utf8')) as { parameters: Record<string, { value: unknown }> };
    expect(params.parameters.blobTriggerSubscriptionEnabled?.value).toBe('${MAILMIG_BLOB_SUBSCRIPTION=false}');
    for (const hook of ['postdeploy.sh', 'postdeploy.ps1']) {
      expect(readFileSync(join(repoRoot, 'infra', 'hooks', hook), 'utf8'), hook).toMatch(/azd env set MAILMIG_BLOB_SUBSCRIPTION true/);
    }
  });

  it('a provision after `azd down` (or for a new app) does not declare it: the preprovision hooks turn it off unless the key exists', () => {
    for (const hook of ['preprovision.sh', 'preprovision.ps1']) {
      const text = readFileSync(join(repoRoot, 'infra', 'hooks', hook), 'utf8');
      expect(text, hook).toContain('systemKeys.blobs_extension');
      expect(text, hook).toMatch(/azd env set MAILMIG_BLOB_SUBSCRIPTION "?\$[Bb]lob_?[Ss]ubscription"?/);
      expect(text, hook).toMatch(/[Bb]lob_?[Ss]ubscription\s*=\s*'?false'?/);
    }
  });

  it('both hooks retry the subscription PUT (the validation handshake fails on a cold start) instead of failing azd up at the first refusal', () => {
    const sh = readFileSync(join(repoRoot, 'infra', 'hooks', 'postdeploy.sh'), 'utf8');
    // The PUT sits inside a loop bounded by an attempt count, with a wait between attempts.
    expect(sh).toMatch(/while :; do[\s\S]*?if az rest --method put[\s\S]*?SUBSCRIBE_ATTEMPTS[\s\S]*?sleep "\$SUBSCRIBE_WAIT_SECONDS"[\s\S]*?done/);
    const ps1 = readFileSync(join(repoRoot, 'infra', 'hooks', 'postdeploy.ps1'), 'utf8');
    expect(ps1).toMatch(/for \(\$attempt = 1; ; \$attempt\+\+\) \{[\s\S]*?az rest --method put[\s\S]*?\$SubscribeAttempts[\s\S]*?Start-Sleep -Seconds \$SubscribeWaitSeconds/);
  });

  it('terraform keeps the subscription in IaC with the host key of the deployed app', () => {
    const sub = tfOne('resource', 'azurerm_eventgrid_system_topic_event_subscription', 'migration_csv');
    expect(JSON.stringify(sub.webhook_endpoint)).toContain('data.azurerm_function_app_host_keys.main[0].blobs_extension_key');
  });
});

describe('3. undeliverable upload events are dead-lettered, not dropped', () => {
  it('bicep: the subscription dead-letters to the deadletter container as the app identity, after 30 attempts / 24 h', ({ skip }) => {
    const s = snapshot('default', skip);
    const sub = one(snapshotResources(s, 'Microsoft.EventGrid/systemTopics/eventSubscriptions'), 'subscriptions');
    const dl = at(props(sub), 'deadLetterWithResourceIdentity');
    expect(at(dl, 'deadLetterDestination', 'endpointType')).toBe('StorageBlob');
    expect(at(dl, 'deadLetterDestination', 'properties', 'blobContainerName')).toBe('deadletter');
    expect(String(at(dl, 'identity', 'userAssignedIdentity'))).toMatch(/userAssignedIdentities\/id-mailmig-/);
    expect(at(props(sub), 'retryPolicy')).toEqual({ maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 });
    const containers = snapshotResources(s, 'Microsoft.Storage/storageAccounts/blobServices/containers').map((c) => String(c.name));
    expect(containers.some((n) => n.endsWith('/deadletter'))).toBe(true);
    const topic = one(snapshotResources(s, 'Microsoft.EventGrid/systemTopics'), 'topics');
    expect(at(topic.identity, 'type')).toBe('UserAssigned');
  });

  it('terraform: the subscription dead-letters to the deadletter container as the app identity', () => {
    const sub = tfOne('resource', 'azurerm_eventgrid_system_topic_event_subscription', 'migration_csv');
    expect(at(sub.storage_blob_dead_letter_destination, 0, 'storage_blob_container_name')).toBe('${azurerm_storage_container.deadletter.name}');
    expect(at(sub.dead_letter_identity, 0, 'user_assigned_identity')).toBe('${azurerm_user_assigned_identity.app.id}');
    expect(at(tfOne('resource', 'azurerm_eventgrid_system_topic', 'storage').identity, 0, 'type')).toBe('UserAssigned');
  });

  it('both hooks create the subscription with the same dead-letter destination', () => {
    for (const hook of ['postdeploy.sh', 'postdeploy.ps1']) {
      const text = readFileSync(join(repoRoot, 'infra', 'hooks', hook), 'utf8');
      expect(text, hook).toMatch(/deadLetterWithResourceIdentity/);
      expect(text, hook).toMatch(/StorageBlob/);
      expect(text, hook).toMatch(/UserAssigned/);
    }
  });
});

describe('5. a Bicep redeploy after `azd down` recovers the soft-deleted Key Vault', () => {
  it('keyvault.bicep passes createMode, azd maps it from the environment, and a preprovision hook sets it', ({ skip }) => {
    const vault = one(snapshotResources(snapshot('default', skip), 'Microsoft.KeyVault/vaults'), 'vaults');
    expect(props(vault).createMode).toBe('default');
    expect(readBicep('modules/keyvault.bicep')).toMatch(/@allowed\(\[\s*'default'\s*'recover'\s*\]\)\s*param createMode string/);
    const params = JSON.parse(readFileSync(join(repoRoot, 'infra', 'bicep', 'main.parameters.json'), 'utf8')) as { parameters: Record<string, { value: unknown }> };
    expect(params.parameters.keyVaultCreateMode?.value).toBe('${AZURE_KEY_VAULT_CREATE_MODE=default}');
    const azureYaml = readFileSync(join(repoRoot, 'azure.yaml'), 'utf8');
    expect(azureYaml).toMatch(/preprovision:\n {4}posix:\n[\s\S]*?run: \.\/infra\/hooks\/preprovision\.sh/);
    for (const hook of ['preprovision.sh', 'preprovision.ps1']) {
      const text = readFileSync(join(repoRoot, 'infra', 'hooks', hook), 'utf8');
      expect(text, hook).toContain('az keyvault list-deleted');
      expect(text, hook).toContain('azd-env-name');
      expect(text, hook).toContain('azd env set AZURE_KEY_VAULT_CREATE_MODE recover');
    }
  });

  it('terraform recovers a soft-deleted vault on its own', () => {
    expect(readFileSync(join(repoRoot, 'infra', 'terraform', 'providers.tf'), 'utf8')).toMatch(/recover_soft_deleted_key_vaults\s*=\s*true/);
  });
});

describe('6. sovereign clouds: endpoints come from the cloud, not from public-cloud literals', () => {
  it('bicep: STORAGE_ENDPOINT_SUFFIX and the authority hosts come from environment()', ({ skip }) => {
    const s = appSettingsOf('default', skip);
    expect(s.get('STORAGE_ENDPOINT_SUFFIX')).toMatch(/environment\(\)\.suffixes\.storage|^core\.windows\.net$/);
    expect(s.get('SOURCE_AUTHORITY_HOST')).toContain('environment().authentication.loginEndpoint');
  });

  it('terraform: one azure_environment variable sets the providers\' cloud, the login host and the storage suffix', () => {
    const settings = terraformLocals(tf).get('app_settings');
    expect(at(settings, 'STORAGE_ENDPOINT_SUFFIX')).toBe('${local.cloud.storage_suffix}');
    expect(at(settings, 'SOURCE_AUTHORITY_HOST')).toBe('${coalesce(var.servers["source"].authority_host, local.cloud.login_host)}');
    expect(at(settings, 'DESTINATION_AUTHORITY_HOST')).toBe('${coalesce(var.servers["destination"].authority_host, local.cloud.login_host)}');
    const providers = readFileSync(join(repoRoot, 'infra', 'terraform', 'providers.tf'), 'utf8');
    expect(providers).toMatch(/provider "azurerm" \{[\s\S]*?environment\s*=\s*var\.azure_environment/);
    expect(at(terraformLocals(tf).get('clouds'), 'usgovernment', 'storage_suffix')).toBe('core.usgovcloudapi.net');
  });

  it('the host and Durable storage connections name their services by URI in the cloud\'s suffix (accountName alone means the public cloud)', ({ skip }) => {
    const bicep = appSettingsOf('default', skip);
    const tfSettings = { ...(terraformLocals(tf).get('app_settings') as JsonObject), ...(terraformLocals(tf).get('durable_storage_app_settings') as JsonObject) };
    for (const connection of ['AzureWebJobsStorage', 'DurableStorage']) {
      for (const service of ['blob', 'queue', 'table']) {
        const key = `${connection}__${service}ServiceUri`;
        expect(bicep.get(key), `bicep ${key}`).toMatch(new RegExp(`^https://stmailmig\\w+\\.${service}\\.core\\.windows\\.net$|environment\\(\\)\\.suffixes\\.storage`));
        expect(String(tfSettings[key]), `terraform ${key}`).toMatch(new RegExp(`\\.${service}\\.\\$\\{local\\.cloud\\.storage_suffix\\}"?$`));
      }
    }
  });

  it('no Terraform file or app source names a public-cloud endpoint outside the per-cloud table', () => {
    const tfText = readFileSync(join(repoRoot, 'infra', 'terraform', 'variables.tf'), 'utf8') + readFileSync(join(repoRoot, 'infra', 'terraform', 'function-app.tf'), 'utf8');
    expect(tfText).not.toMatch(/login\.microsoftonline\.com|core\.windows\.net/);
    for (const f of ['shared/adapters/blob/blob-store.ts', 'shared/composition/create-engine.ts']) {
      expect(readFileSync(join(repoRoot, f), 'utf8'), f).not.toMatch(/core\.windows\.net/);
    }
  });
});

describe('7. instance memory, activity concurrency and the largest message agree', () => {
  const perActivityMB = (maxMessageBytes: number): number => PIPELINE_MB + 2 * Math.ceil(maxMessageBytes / MB);
  const fits = (memory: number, slots: number, maxMessageBytes: number): boolean => RUNTIME_MB + slots * perActivityMB(maxMessageBytes) <= memory;

  it('bicep: the default 2 GB instance keeps host.json\'s 8 activities with the default 35 MB messages', ({ skip }) => {
    expect(appSettingsOf('default', skip).get(ACTIVITY_SETTING)).toBe('8');
  });

  it('bicep: with 150 MB messages the activities are lowered until their buffers fit in 2 GB', ({ skip }) => {
    const slots = Number(appSettingsOf('bigMessages', skip).get(ACTIVITY_SETTING));
    expect(slots).toBeGreaterThanOrEqual(1);
    expect(slots).toBeLessThan(8);
    expect(fits(2048, slots, 157286400)).toBe(true);
  });

  it('bicep: a 512 MB instance with 150 MB messages is refused, naming the parameter', ({ skip }) => {
    if (!bicepCli) skip('needs the Bicep CLI (bicep snapshot)');
    expect(snapshots.tooSmall).toBeUndefined();
    expect(snapshotErrors.tooSmall).toContain('maxConcurrentActivityFunctions');
  });

  it('both stacks cap MAX_MESSAGE_BYTES at 150 MB (Exchange Online\'s limit)', () => {
    expect(readBicep('modules/types.bicep')).toMatch(/@maxValue\(157286400\)\s*maxMessageBytes: int\?/);
    const conditions = JSON.stringify(terraformVariables(tf).get('tuning')?.validation);
    expect(conditions).toContain('var.tuning.max_message_bytes <= 157286400');
  });

  it('terraform: for every memory size and message limit, the derived concurrency fits or the variables are refused', () => {
    const expr = String(terraformLocals(tf).get('max_concurrent_activity_functions'));
    const memoryRule = (terraformVariables(tf).get('instance_memory_mb')?.validation as JsonObject[] | undefined ?? [])
      .map((v) => String(v.condition)).find((c) => c.includes('max_message_bytes'));
    expect(memoryRule, 'a validation of instance_memory_mb against tuning.max_message_bytes').toBeDefined();
    for (const memory of [512, 2048, 4096]) {
      for (const maxMessageBytes of [1024, 36700160, 104857600, 157286400]) {
        const slots = evalTerraform(expr, { memory, maxMessageBytes }) as number;
        const accepted = evalTerraform(memoryRule ?? '', { memory, maxMessageBytes }) as boolean;
        expect(accepted, `${memory} MB, ${maxMessageBytes} B`).toBe(slots >= 1);
        if (accepted) {
          expect(slots, `${memory} MB, ${maxMessageBytes} B`).toBeLessThanOrEqual(8);
          expect(fits(memory, slots, maxMessageBytes), `${memory} MB, ${maxMessageBytes} B: ${slots} activities`).toBe(true);
        }
      }
    }
    expect(evalTerraform(expr, { memory: 512, maxMessageBytes: 157286400 })).toBe(0);
  });
});

describe('8. Durable may keep its task hub in its own storage account', () => {
  it('bicep: "storage-separate" creates a second account, grants blob/queue/table on it, and points DurableStorage at it', ({ skip }) => {
    const s = snapshot('separate', skip);
    const accounts = snapshotResources(s, 'Microsoft.Storage/storageAccounts').map((a) => String(a.name));
    expect(accounts.some((n) => n.startsWith('stmailmigdf'))).toBe(true);
    const settings = bicepFactsFromSnapshot(s).appSettings;
    expect(settings.get('AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionName')).toBe('DurableStorage');
    expect(settings.get('DurableStorage__accountName')).toMatch(/^stmailmigdf/);
    const scopes = snapshotResources(s, 'Microsoft.Authorization/roleAssignments').map((r) => String(r.name)).filter((n) => n.includes('stmailmigdf'));
    expect(scopes.length).toBe(3);
  });

  it('bicep: by default the task hub stays in the host account, through the same DurableStorage connection', ({ skip }) => {
    const settings = appSettingsOf('default', skip);
    expect(settings.get('DurableStorage__accountName')).toBe(settings.get('AzureWebJobsStorage__accountName'));
  });

  it('terraform: "storage-separate" has the account, its three roles and the DurableStorage connection', () => {
    expect(String(terraformVariables(tf).get('durable_backend')?.default)).toBe('storage');
    expect(tfOne('resource', 'azurerm_storage_account', 'durable').count).toBe('${local.durable_separate ? 1 : 0}');
    const roles = [...terraformBodies(tf, 'resource', 'azurerm_role_assignment').values()].filter((r) => String(r.scope).includes('azurerm_storage_account.durable'));
    expect(roles.length).toBe(3);
    expect(at(terraformLocals(tf).get('durable_storage_app_settings'), 'DurableStorage__accountName')).toBe('${local.durable_storage_account_name}');
  });
});

describe('10. the IaC exposes every tuning setting of the schema', () => {
  it('both stacks set every schema key that has a default and is not local-only', ({ skip }) => {
    const localOnly = new Set(['STATE_DIR', 'LOCAL_SECRETS_FILE', 'STORAGE_CONNECTION_STRING']);
    const keys = SETTING_SPECS.filter((s) => s.defaultValue !== undefined && !localOnly.has(s.key)).map((s) => s.key);
    expect(keys).toEqual(expect.arrayContaining(['MESSAGES_PER_FOLDER_WORKER', 'APPEND_PIPELINE_DEPTH', 'APPEND_BATCH_MESSAGES', 'IMAP_RESPONSE_TIMEOUT_SECONDS']));
    const tfSettings = terraformLocals(tf).get('app_settings');
    expect(keys.filter((k) => at(tfSettings, k) === undefined), 'terraform').toEqual([]);
    const bicepSettings = appSettingsOf('default', skip);
    expect(keys.filter((k) => !bicepSettings.has(k)), 'bicep').toEqual([]);
  });
});

describe('the Durable Task Scheduler option', () => {
  it('bicep: "scheduler" provisions the scheduler and its task hub, grants Durable Task Data Contributor and configures azureManaged', ({ skip }) => {
    const s = snapshot('scheduler', skip);
    one(snapshotResources(s, 'Microsoft.DurableTask/schedulers'), 'schedulers');
    const hub = one(snapshotResources(s, 'Microsoft.DurableTask/schedulers/taskHubs'), 'task hubs');
    expect(String(hub.name)).toMatch(/\/mailmig$/);
    expect(snapshotResources(s, 'Microsoft.Authorization/roleAssignments').some((r) => String(at(props(r), 'roleDefinitionId')).includes(DURABLE_TASK_DATA_CONTRIBUTOR))).toBe(true);
    const settings = bicepFactsFromSnapshot(s).appSettings;
    expect(settings.get('AzureFunctionsJobHost__extensions__durableTask__storageProvider__type')).toBe('azureManaged');
    expect(settings.get('AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName')).toBe('DURABLE_TASK_SCHEDULER_CONNECTION_STRING');
    expect(settings.get('DURABLE_TASK_SCHEDULER_CONNECTION_STRING')).toMatch(/Authentication=ManagedIdentity;ClientID=/);
    expect(settings.has('DurableStorage__accountName')).toBe(false);
  });

  it('bicep: Azure Storage stays the default (no scheduler resource)', ({ skip }) => {
    expect(snapshotResources(snapshot('default', skip), 'Microsoft.DurableTask/schedulers')).toEqual([]);
  });

  it('terraform: the same option, with the same role and settings', () => {
    expect(tfOne('resource', 'azapi_resource', 'scheduler').type).toMatch(/^Microsoft\.DurableTask\/schedulers@/);
    expect(tfOne('resource', 'azapi_resource', 'scheduler_task_hub').type).toMatch(/^Microsoft\.DurableTask\/schedulers\/taskHubs@/);
    expect(String(tfOne('resource', 'azurerm_role_assignment', 'scheduler_data_contributor').role_definition_id)).toContain(DURABLE_TASK_DATA_CONTRIBUTOR);
    const settings = terraformLocals(tf).get('durable_scheduler_app_settings');
    expect(at(settings, 'AzureFunctionsJobHost__extensions__durableTask__storageProvider__type')).toBe('azureManaged');
    expect(String(terraformLocals(tf).get('durable_scheduler_connection'))).toContain('Authentication=ManagedIdentity;ClientID=');
  });
});
