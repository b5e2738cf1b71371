import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TRIGGERS } from '../../shared/contracts/functions.js';
import { bicepFiles, findBicepCli, readBicep, repoRoot } from './stacks.js';

const run = promisify(execFile);

/** Display names of the roles the stacks grant, by role definition GUID. */
const ROLE_NAMES: Record<string, string> = {
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': 'Storage Queue Data Contributor',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
  '4633458b-17de-408a-b874-0445c86b69e6': 'Key Vault Secrets User',
  '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe': 'Storage Blob Data Contributor',
  'b86a8fe4-44ce-4948-aee5-eccb2c155cd7': 'Key Vault Secrets Officer',
  'a4417e6f-fecd-4de8-b567-7b0420556985': 'Key Vault Certificates Officer',
};

const hasDotnet = async (): Promise<boolean> => run('dotnet', ['--version']).then(() => true, () => false);

describe('infra/bicep', () => {
  it('builds and lints with no error and no warning (scripts/bicep-build.sh)', async ({ skip }) => {
    if (!findBicepCli() && !(await hasDotnet())) skip('needs the dotnet SDK to restore the Bicep CLI from NuGet');
    const result = await run('bash', [join(repoRoot, 'scripts', 'bicep-build.sh')], { timeout: 240_000 }).then(
      () => '',
      (e: { stderr?: string }) => e.stderr ?? 'failed',
    );
    expect(result).toBe('');
  }, 300_000);

  it('uses only local modules (CI compiles offline)', () => {
    for (const f of bicepFiles()) {
      expect(readBicep(f), f).not.toMatch(/'br[:/]|'ts[:/]/);
      for (const m of readBicep(f).matchAll(/^module\s+\w+\s+'([^']+)'/gm)) {
        expect(existsSync(join(repoRoot, 'infra', 'bicep', m[1] ?? '')), `${f}: ${m[1]}`).toBe(true);
      }
    }
  });

  it('describes every parameter as Required. or Optional.', () => {
    const bad: string[] = [];
    for (const f of bicepFiles()) {
      const lines = readBicep(f).split('\n');
      lines.forEach((line, i) => {
        const m = /^param\s+(\w+)/.exec(line);
        if (!m) return;
        // The decorators are the lines right above, up to a blank line or another statement.
        const decorators: string[] = [];
        for (let j = i - 1; j >= 0; j--) {
          const above = lines[j] ?? '';
          if (above.trim() === '' || /^(param|var|resource|module|output|type|import|targetScope|func)\b/.test(above)) break;
          decorators.push(above);
        }
        if (!decorators.some((d) => /^@description\('(Required|Optional)\. /.test(d))) bad.push(`${f}: ${m[1]}`);
      });
    }
    expect(bad).toEqual([]);
  });

  it('names every role assignment guid(scope, principal, role) under a comment with the role\'s display name', () => {
    for (const [file, text] of [
      ['modules/roles.bicep', readBicep('modules/roles.bicep')],
      ['terraform/roles.tf', readFileSync(join(repoRoot, 'infra', 'terraform', 'roles.tf'), 'utf8')],
    ] as const) {
      const blocks = [...text.matchAll(/(?:\/\/|#) ([^\n:]+)[^\n]*\nresource [^\n]*(?:roleAssignments@|azurerm_role_assignment)[^\n]*\n([\s\S]*?)\n\}/g)];
      expect(blocks.length, file).toBe(8);
      for (const b of blocks) {
        const definitionLine = (b[2] ?? '').split('\n').find((l) => /roleDefinitionId|role_definition_id/.test(l)) ?? '';
        const guid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(definitionLine)?.[0] ?? '';
        expect(ROLE_NAMES[guid], `${file}: role ${guid}`).toBe(b[1]);
        if (file.endsWith('.bicep')) expect(b[2]).toMatch(new RegExp(`name: guid\\(\\w+\\.id, \\w+PrincipalId, '${guid}'\\)`));
      }
    }
  });

  it('main.parameters.json gives azd the environment name and location', () => {
    const params = JSON.parse(readFileSync(join(repoRoot, 'infra', 'bicep', 'main.parameters.json'), 'utf8')) as { parameters: Record<string, { value: unknown }> };
    expect(params.parameters.environmentName?.value).toBe('${AZURE_ENV_NAME}');
    expect(params.parameters.location?.value).toBe('${AZURE_LOCATION}');
  });
});

describe('azure.yaml and the postdeploy hook', () => {
  const azureYaml = readFileSync(join(repoRoot, 'azure.yaml'), 'utf8');

  it('deploys one function service `api` from the repository root', () => {
    expect(azureYaml).toMatch(/^services:\n {2}api:\n {4}project: \.\n {4}language: js\n {4}host: function$/m);
  });

  it('runs hook scripts that exist', () => {
    const scripts = [...azureYaml.matchAll(/run: (\.\/infra\/hooks\/\S+)/g)].map((m) => m[1] ?? '');
    expect(scripts.sort()).toEqual(['./infra/hooks/postdeploy.ps1', './infra/hooks/postdeploy.sh', './infra/hooks/preprovision.ps1', './infra/hooks/preprovision.sh']);
    for (const s of scripts) expect(existsSync(join(repoRoot, s)), s).toBe(true);
  });

  it('wires the blob trigger the app registers: EventGrid source, host storage connection, <migrations>/incoming/', () => {
    const name = TRIGGERS.onMigrationCsvUploaded;
    const trigger = readFileSync(join(repoRoot, 'functions', 'triggers', `${name}.ts`), 'utf8');
    expect(trigger).toContain("source: 'EventGrid'");
    expect(trigger).toContain("connection: 'AzureWebJobsStorage'");
    expect(trigger).toContain("path: '%MIGRATIONS_CONTAINER%/incoming/");
  });

  it('both hooks wire the same function, events and subject filter as terraform', () => {
    const name = TRIGGERS.onMigrationCsvUploaded;
    const tf = readFileSync(join(repoRoot, 'infra', 'terraform', 'eventgrid.tf'), 'utf8');
    expect(tf).toContain(`blob_trigger_function_name = "${name}"`);
    for (const hook of ['postdeploy.sh', 'postdeploy.ps1']) {
      const text = readFileSync(join(repoRoot, 'infra', 'hooks', hook), 'utf8');
      expect(text, hook).toMatch(new RegExp(`FUNCTION_?NAME\\s*=\\s*["']${name}["']`, 'i'));
      expect(text, hook).toContain('/runtime/webhooks/blobs?functionName=Host.Functions.$');
      expect(text, hook).toContain('systemKeys.blobs_extension');
      expect(text, hook).toMatch(/includedEventTypes"?\s*[:=]\s*@?[[(]\s*["']Microsoft\.Storage\.BlobCreated["']/);
      expect(text, hook).toMatch(/subjectBeginsWith"?\s*[:=]\s*"\/blobServices\/default\/containers\/\$container\/blobs\/incoming\/"/i);
      expect(text, hook).toMatch(/subjectEndsWith"?\s*[:=]\s*["']\.csv["']/);
    }
  });

  it('the sh hooks are valid POSIX sh', async () => {
    await expect(run('sh', ['-n', join(repoRoot, 'infra', 'hooks', 'postdeploy.sh')])).resolves.toBeDefined();
    await expect(run('sh', ['-n', join(repoRoot, 'infra', 'hooks', 'preprovision.sh')])).resolves.toBeDefined();
  });
});
