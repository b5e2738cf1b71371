import { beforeAll, describe, expect, it } from 'vitest';
import { HOST_LOCAL_KEYS, SETTING_SPECS } from '../../shared/config/schema.js';
import {
  bicepFactsFromSnapshot,
  bicepFactsFromText,
  bicepSnapshot,
  ensureBicepCli,
  parseTerraformFiles,
  terraformBodies,
  terraformDefault,
  terraformFacts,
  terraformLocals,
  terraformVariables,
  isObject,
  type StackFacts,
  type TerraformFile,
} from './stacks.js';

/** Settings the platform or the host needs besides the schema's. */
const PLATFORM_SETTINGS = [
  'AzureWebJobsStorage__accountName',
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  'AZURE_CLIENT_ID',
  'DURABLE_TASK_HUB',
  // host.json overrides: activity concurrency by instance memory, and the Durable storage connection
  'AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions',
  'AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionName',
  'DurableStorage__accountName',
  'DurableStorage__credential',
  'DurableStorage__clientId',
  // identity-based connections by service URI, which carry the cloud's storage suffix
  ...['AzureWebJobsStorage', 'DurableStorage'].flatMap((c) => ['blob', 'queue', 'table'].map((s) => `${c}__${s}ServiceUri`)),
];

/**
 * Settings that must never be deployed: the host's local-only keys (in Azure the templates set
 * their identity-based forms), a storage connection string (shared keys are off), mailmig's
 * local-only settings, and what Flex Consumption rejects.
 */
const forbiddenSettings = (): string[] => [
  ...HOST_LOCAL_KEYS,
  'STORAGE_CONNECTION_STRING',
  'LOCAL_SECRETS_FILE',
  'STATE_DIR',
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
];

/** What the app identity must hold, by role definition GUID. */
const IDENTITY_ROLES: Record<string, string> = {
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': 'Storage Queue Data Contributor',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
  '4633458b-17de-408a-b874-0445c86b69e6': 'Key Vault Secrets User',
  '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
};
const KEY_VAULT_CERTIFICATE_USER = 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba';

const REQUIRED_OUTPUTS = [
  'AZURE_FUNCTION_APP_NAME',
  'AZURE_STORAGE_ACCOUNT_NAME',
  'AZURE_KEY_VAULT_URL',
  'AZURE_KEY_VAULT_NAME',
  'AZURE_MANAGED_IDENTITY_CLIENT_ID',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'AZURE_RESOURCE_GROUP',
  'AZURE_LOCATION',
  // read by infra/hooks/postdeploy.*
  'AZURE_EVENTGRID_SYSTEM_TOPIC_NAME',
  'AZURE_MIGRATIONS_CONTAINER',
  'AZURE_STORAGE_ACCOUNT_NAME',
  'AZURE_MANAGED_IDENTITY_RESOURCE_ID',
  'AZURE_DEADLETTER_CONTAINER',
];

/** Read at test time: keys added to the schema later are covered without editing this file. */
const requiredKeys = (): string[] => SETTING_SPECS.filter((s) => s.requiredInApp).map((s) => s.key);
const knownKeys = (): Set<string> => new Set([...SETTING_SPECS.map((s) => s.key), ...PLATFORM_SETTINGS]);

const sorted = (xs: Iterable<string>): string[] => [...xs].sort();
const rolesOf = (facts: StackFacts, who: 'identity' | 'operator'): string[] =>
  sorted(new Set(facts.roles.filter((r) => r.principal === who).map((r) => r.roleId)));

let tfFiles: TerraformFile[];
let terraform: StackFacts;
let bicep: StackFacts;
let bicepText: StackFacts;
/** Whether `bicep` came from the compiler (snapshot) or, without it, from the source text. */
let bicepCompiled = false;

beforeAll(async () => {
  tfFiles = await parseTerraformFiles();
  terraform = terraformFacts(tfFiles);
  bicepText = bicepFactsFromText();
  const cli = await ensureBicepCli();
  if (cli) {
    bicep = bicepFactsFromSnapshot(await bicepSnapshot(cli));
    bicepCompiled = true;
  } else {
    console.warn('test/infra: no Bicep CLI (needs dotnet + NuGet): reading Bicep facts from the source text');
    bicep = bicepText;
  }
}, 300_000);

describe.each([
  ['bicep', (): StackFacts => bicep],
  ['terraform', (): StackFacts => terraform],
] as const)('%s stack', (_name, facts) => {
  it('sets every app setting the schema marks requiredInApp', () => {
    const missing = requiredKeys().filter((k) => !facts().appSettings.has(k));
    expect(missing, 'keys of SETTING_SPECS with requiredInApp: true that the stack does not set').toEqual([]);
  });

  it('sets the identity-based host storage, telemetry, AZURE_CLIENT_ID and DURABLE_TASK_HUB settings', () => {
    const missing = PLATFORM_SETTINGS.filter((k) => !facts().appSettings.has(k));
    expect(missing).toEqual([]);
    expect(facts().appSettings.get('AzureWebJobsStorage__credential')).toBe('managedidentity');
  });

  it('sets no setting the schema does not know (a typo would go unnoticed by the app)', () => {
    const known = knownKeys();
    expect(sorted([...facts().appSettings.keys()].filter((k) => !known.has(k)))).toEqual([]);
  });

  it('sets no storage connection string, local-only setting or setting Flex Consumption rejects', () => {
    expect(forbiddenSettings().filter((k) => facts().appSettings.has(k))).toEqual([]);
  });

  it('grants the app identity blob owner, queue and table contributor, Key Vault Secrets User and Metrics Publisher', () => {
    expect(rolesOf(facts(), 'identity')).toEqual(sorted(Object.keys(IDENTITY_ROLES)));
    expect(rolesOf(facts(), 'identity')).not.toContain(KEY_VAULT_CERTIFICATE_USER);
  });

  it('has the outputs scripts and the postdeploy hook read', () => {
    expect(REQUIRED_OUTPUTS.filter((o) => !facts().outputs.has(o))).toEqual([]);
  });
});

describe('bicep and terraform agree', () => {
  it('on the set of app settings', () => {
    expect(sorted(terraform.appSettings.keys())).toEqual(sorted(bicep.appSettings.keys()));
  });

  it('on the role definitions granted to the app identity', () => {
    expect(rolesOf(terraform, 'identity')).toEqual(rolesOf(bicep, 'identity'));
  });

  it('on the role definitions granted to the operator', () => {
    expect(rolesOf(terraform, 'operator')).toEqual(rolesOf(bicep, 'operator'));
    expect(rolesOf(terraform, 'operator').length).toBeGreaterThan(0);
  });

  it('on the output names', () => {
    expect(sorted(terraform.outputs)).toEqual(sorted(bicep.outputs));
  });
});

describe('defaults are the schema defaults', () => {
  const withDefaults = (): { key: string; defaultValue: string }[] =>
    SETTING_SPECS.filter((s) => s.requiredInApp && s.defaultValue !== undefined).map((s) => ({ key: s.key, defaultValue: s.defaultValue ?? '' }));

  it('terraform: every defaulted setting resolves to the schema default through variables.tf', () => {
    const variables = terraformVariables(tfFiles);
    // Cloud endpoints come from the per-cloud table in main.tf, public by default.
    const publicCloud = terraformLocals(tfFiles).get('clouds');
    const fromCloud = (expr: string): string | undefined => {
      const m = /local\.cloud\.(\w+)\)?\}$/.exec(expr);
      const cloud = isObject(publicCloud) && isObject(publicCloud.public) ? publicCloud.public : {};
      return m?.[1] ? String(cloud[m[1]]) : undefined;
    };
    const wrong = withDefaults()
      .map(({ key, defaultValue }) => {
        const expr = terraform.appSettings.get(key) ?? '';
        return { key, expected: defaultValue, actual: terraformDefault(expr, variables) ?? fromCloud(expr) };
      })
      .filter((r) => r.actual !== r.expected);
    expect(wrong).toEqual([]);
  });

  it('bicep: with only the required parameters, every defaulted setting evaluates to the schema default', ({ skip }) => {
    if (!bicepCompiled) skip('needs the Bicep CLI (bicep snapshot)');
    const wrong = withDefaults()
      .map(({ key, defaultValue }) => ({ key, expected: defaultValue, actual: bicep.appSettings.get(key) }))
      // The authority host default is the public cloud's login endpoint: Bicep takes the login
      // endpoint of the cloud it deploys to, which the snapshot leaves unevaluated.
      .filter((r) => !(r.expected === 'https://login.microsoftonline.com' && r.actual?.includes('environment().authentication.loginEndpoint')))
      .filter((r) => !(r.key === 'STORAGE_ENDPOINT_SUFFIX' && r.actual?.includes('environment().suffixes.storage')))
      .filter((r) => r.actual !== r.expected);
    expect(wrong).toEqual([]);
  });
});

describe('settings come from the resources they name', () => {
  it('terraform: KEY_VAULT_URL from the vault, STORAGE_ACCOUNT_NAME from the account, AZURE_CLIENT_ID from the identity', () => {
    const s = terraform.appSettings;
    expect(s.get('KEY_VAULT_URL')).toBe('${azurerm_key_vault.main.vault_uri}');
    expect(s.get('STORAGE_ACCOUNT_NAME')).toBe('${azurerm_storage_account.main.name}');
    expect(s.get('AzureWebJobsStorage__accountName')).toBe('${azurerm_storage_account.main.name}');
    expect(s.get('AZURE_CLIENT_ID')).toBe('${azurerm_user_assigned_identity.app.client_id}');
    expect(s.get('AzureWebJobsStorage__clientId')).toBe('${azurerm_user_assigned_identity.app.client_id}');
    expect(s.get('SOURCE_TENANT_ID')).toBe('${var.servers["source"].tenant_id}');
    expect(s.get('DESTINATION_CLIENT_SECRET_NAME')).toBe('${var.servers["destination"].client_secret_name}');
  });

  it('terraform: the function app and the app-settings PUT both deploy local.app_settings', () => {
    const [app] = terraformBodies(tfFiles, 'resource', 'azurerm_function_app_flex_consumption').values();
    expect(app?.app_settings).toBe('${local.deployed_app_settings}');
    const [put] = terraformBodies(tfFiles, 'resource', 'azapi_resource_action').values();
    expect(JSON.stringify(put?.body)).toContain('merge(local.deployed_app_settings');
    expect(String(terraformLocals(tfFiles).get('deployed_app_settings'))).toMatch(/^\$\{merge\(local\.app_settings, /);
  });

  it('bicep: KEY_VAULT_URL from the vault, STORAGE_ACCOUNT_NAME from the account, ids and secret names from parameters', ({ skip }) => {
    if (!bicepCompiled) skip('needs the Bicep CLI (bicep snapshot)');
    const s = bicep.appSettings;
    expect(s.get('KEY_VAULT_URL')).toMatch(/Microsoft\.KeyVault\/vaults\/kv-[^']+'.*\)\.vaultUri\]$/);
    expect(s.get('STORAGE_ACCOUNT_NAME')).toMatch(/^stmailmig[a-z0-9]+$/);
    expect(s.get('AzureWebJobsStorage__accountName')).toBe(s.get('STORAGE_ACCOUNT_NAME'));
    expect(s.get('AZURE_CLIENT_ID')).toMatch(/userAssignedIdentities\/id-mailmig-[^']+'.*\)\.clientId\]$/);
    expect(s.get('AzureWebJobsStorage__clientId')).toBe(s.get('AZURE_CLIENT_ID'));
    expect(s.get('SOURCE_TENANT_ID')).toBe('contoso.onmicrosoft.com');
    expect(s.get('SOURCE_CLIENT_ID')).toBe('11111111-1111-1111-1111-111111111111');
    expect(s.get('SOURCE_CLIENT_SECRET_NAME')).toBe('source-client-secret');
    expect(s.get('DESTINATION_TENANT_ID')).toBe('fabrikam.onmicrosoft.com');
    expect(s.get('DESTINATION_CLIENT_CERT_NAME')).toBe('destination-cert');
  });

  it('bicep: reading the source text finds what the compiler finds', ({ skip }) => {
    // Keeps the no-compiler fallback honest.
    if (!bicepCompiled) skip('needs the Bicep CLI (bicep snapshot)');
    expect(sorted(bicepText.appSettings.keys())).toEqual(sorted(bicep.appSettings.keys()));
    expect(rolesOf(bicepText, 'identity')).toEqual(rolesOf(bicep, 'identity'));
    expect(rolesOf(bicepText, 'operator')).toEqual(rolesOf(bicep, 'operator'));
    expect(sorted(bicepText.outputs)).toEqual(sorted(bicep.outputs));
  });
});
