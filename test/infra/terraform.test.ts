import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';
import { isObject, parseTerraformFiles, terraformBodies, terraformDir, terraformVariables, type TerraformFile } from './stacks.js';

/** One file per concern. */
const EXPECTED_FILES = [
  'durable.tf',
  'eventgrid.tf',
  'function-app.tf',
  'identity.tf',
  'keyvault.tf',
  'main.tf',
  'monitoring.tf',
  'outputs.tf',
  'providers.tf',
  'roles.tf',
  'storage.tf',
  'variables.tf',
];

let files: TerraformFile[];

beforeAll(async () => {
  files = await parseTerraformFiles();
});

describe('infra/terraform', () => {
  it('has one file per concern and every file parses as HCL', () => {
    expect(files.map((f) => f.file)).toEqual(EXPECTED_FILES);
    for (const f of files) expect(Object.keys(f.json).length, `${f.file} parsed to nothing`).toBeGreaterThan(0);
  });

  it('a syntax error fails the parse (the parse check can fail)', async () => {
    const broken = `${readFileSync(join(terraformDir, 'identity.tf'), 'utf8')}\nresource "azurerm_resource_group" "unclosed" {\n  name = "x"\n`;
    await expect(parse('identity.tf', broken)).rejects.toThrow();
  });

  it('pins azurerm 4.x and azapi 2.x', () => {
    const providers = files.find((f) => f.file === 'providers.tf')?.json;
    const text = JSON.stringify(providers);
    expect(text).toContain('"source":"hashicorp/azurerm","version":"~> 4.');
    expect(text).toContain('"source":"Azure/azapi","version":"~> 2.');
  });

  it('describes every variable as Required. or Optional.', () => {
    const bad = [...terraformVariables(files)].filter(([, v]) => !/^(Required|Optional)\. /.test(String(v.description))).map(([k]) => k);
    expect(bad).toEqual([]);
  });

  it('validates every variable that has a rule to break', () => {
    // Booleans, tags and the optional resource group name take any value of their type.
    const free = new Set(['blob_trigger_subscription_enabled', 'tags', 'resource_group_name']);
    const unvalidated = [...terraformVariables(files)].filter(([k, v]) => !free.has(k) && !Array.isArray(v.validation)).map(([k]) => k);
    expect(unvalidated).toEqual([]);
  });

  it('disables shared keys on the storage account and protects the vault', () => {
    const [storage] = terraformBodies(files, 'resource', 'azurerm_storage_account').values();
    expect(storage?.shared_access_key_enabled).toBe(false);
    const [vault] = terraformBodies(files, 'resource', 'azurerm_key_vault').values();
    expect(vault?.rbac_authorization_enabled).toBe(true);
    expect(vault?.purge_protection_enabled).toBe(true);
  });

  it('runs the function app on Flex Consumption, node 22, as the user-assigned identity', () => {
    const [plan] = terraformBodies(files, 'resource', 'azurerm_service_plan').values();
    expect(plan?.sku_name).toBe('FC1');
    const [app] = terraformBodies(files, 'resource', 'azurerm_function_app_flex_consumption').values();
    expect(app?.runtime_name).toBe('node');
    expect(app?.runtime_version).toBe('22');
    expect(app?.storage_authentication_type).toBe('UserAssignedIdentity');
    expect(app?.storage_user_assigned_identity_id).toBe('${azurerm_user_assigned_identity.app.id}');
  });

  it('subscribes the blob trigger to BlobCreated under <migrations>/incoming/', () => {
    const [sub] = terraformBodies(files, 'resource', 'azurerm_eventgrid_system_topic_event_subscription').values();
    expect(sub?.included_event_types).toEqual(['Microsoft.Storage.BlobCreated']);
    const filter = Array.isArray(sub?.subject_filter) ? sub.subject_filter[0] : undefined;
    expect(isObject(filter) ? filter.subject_begins_with : undefined).toBe('/blobServices/default/containers/${var.storage_layout.migrations_container}/blobs/incoming/');
    const hook = Array.isArray(sub?.webhook_endpoint) ? sub.webhook_endpoint[0] : undefined;
    expect(isObject(hook) ? String(hook.url) : '').toMatch(/\/runtime\/webhooks\/blobs\?functionName=Host\.Functions\.\$\{local\.blob_trigger_function_name\}&code=\$\{data\.azurerm_function_app_host_keys\.main\[0\]\.blobs_extension_key\}$/);
  });
});
