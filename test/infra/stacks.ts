/**
 * Reads the two deployment stacks into comparable facts: app settings, role assignments,
 * outputs. Terraform through @cdktf/hcl2json; Bicep through the real compiler when it is
 * available (`bicep snapshot` evaluates the template with parameters, so app setting values and
 * defaults are real), otherwise by reading the Bicep source text.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from '@cdktf/hcl2json';

const run = promisify(execFile);

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const terraformDir = join(repoRoot, 'infra', 'terraform');
export const bicepDir = join(repoRoot, 'infra', 'bicep');

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asObject(v: unknown, what: string): JsonObject {
  if (!isObject(v)) throw new Error(`${what}: expected an object`);
  return v;
}

/** hcl2json gives every block as an array of bodies; most of ours have exactly one. */
function blocks(v: unknown, what: string): JsonObject[] {
  if (!Array.isArray(v)) throw new Error(`${what}: expected a list of blocks`);
  return v.map((b, i) => asObject(b, `${what}[${i}]`));
}

export interface RoleGrant {
  /** Where it is declared (resource name). */
  name: string;
  /** Role definition GUID, lower case. */
  roleId: string;
  principal: 'identity' | 'operator';
}

export interface StackFacts {
  /** App setting name -> value (Bicep: evaluated value or ARM expression; Terraform: HCL expression). */
  appSettings: Map<string, string>;
  roles: RoleGrant[];
  outputs: Set<string>;
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

function roleGuid(roleDefinitionId: string, where: string): string {
  const m = roleDefinitionId.match(new RegExp(`(${GUID.source})\\W*$`, 'i'));
  if (!m?.[1]) throw new Error(`${where}: no role definition GUID in ${roleDefinitionId}`);
  return m[1].toLowerCase();
}

// ---- Terraform ---------------------------------------------------------------------------------

export interface TerraformFile {
  file: string;
  json: JsonObject;
}

export async function parseTerraformFiles(): Promise<TerraformFile[]> {
  const files = readdirSync(terraformDir).filter((f) => f.endsWith('.tf')).sort();
  const parsed: TerraformFile[] = [];
  for (const file of files) {
    const json: unknown = await parse(file, readFileSync(join(terraformDir, file), 'utf8'));
    parsed.push({ file, json: asObject(json, file) });
  }
  return parsed;
}

/** Every body of `kind` (resource/data) and `type` across files, keyed by name. */
export function terraformBodies(files: TerraformFile[], kind: 'resource' | 'data', type: string): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  for (const { file, json } of files) {
    const byType = json[kind];
    if (!isObject(byType) || byType[type] === undefined) continue;
    for (const [name, bodies] of Object.entries(asObject(byType[type], `${file}: ${kind} ${type}`))) {
      const [body] = blocks(bodies, `${file}: ${type}.${name}`);
      if (body) out.set(name, body);
    }
  }
  return out;
}

export function terraformLocals(files: TerraformFile[]): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const { file, json } of files) {
    if (json.locals === undefined) continue;
    for (const body of blocks(json.locals, `${file}: locals`)) {
      for (const [k, v] of Object.entries(body)) out.set(k, v);
    }
  }
  return out;
}

export function terraformVariables(files: TerraformFile[]): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  for (const { file, json } of files) {
    if (json.variable === undefined) continue;
    for (const [name, bodies] of Object.entries(asObject(json.variable, `${file}: variable`))) {
      const [body] = blocks(bodies, `${file}: variable ${name}`);
      if (body) out.set(name, body);
    }
  }
  return out;
}

/**
 * The facts of a deployment with the default options: local.app_settings plus the Durable
 * settings of the default backend (Azure Storage), and the role assignments that are not
 * conditional on another Durable backend (durable.tf).
 */
export function terraformFacts(files: TerraformFile[]): StackFacts {
  const locals = terraformLocals(files);
  const appSettings = new Map<string, string>();
  for (const name of ['app_settings', 'durable_storage_app_settings']) {
    for (const [k, v] of Object.entries(asObject(locals.get(name), `locals.${name}`))) appSettings.set(k, String(v));
  }
  // azurerm keeps the Application Insights connection string in site_config, not app_settings.
  for (const app of terraformBodies(files, 'resource', 'azurerm_function_app_flex_consumption').values()) {
    const [siteConfig] = blocks(app.site_config ?? [], 'site_config');
    const connection = siteConfig?.application_insights_connection_string;
    if (connection !== undefined) appSettings.set('APPLICATIONINSIGHTS_CONNECTION_STRING', String(connection));
  }

  const roles: RoleGrant[] = [];
  for (const [name, body] of terraformBodies(files, 'resource', 'azurerm_role_assignment')) {
    if (/local\.durable_(separate|scheduler)/.test(String(body.count ?? ''))) continue;
    const principal = String(body.principal_id);
    roles.push({
      name,
      roleId: roleGuid(String(body.role_definition_id), name),
      principal: principal.includes('azurerm_user_assigned_identity.') ? 'identity' : 'operator',
    });
  }

  const outputs = new Set<string>();
  for (const { json } of files) if (isObject(json.output)) for (const k of Object.keys(json.output)) outputs.add(k);
  return { appSettings, roles, outputs };
}

/**
 * The value a Terraform app setting takes when no variable is set: follows `var.x` to its
 * default, and `var.x.y` / `var.x["key"].y` to the `optional(type, default)` of attribute y in
 * the variable's type.
 */
export function terraformDefault(expr: string, variables: Map<string, JsonObject>): string | undefined {
  const m = /^\$\{(?:tostring\()?var\.(\w+)((?:\["[^"]+"\])?)(?:\.(\w+))?\)?\}$/.exec(expr);
  if (!m?.[1]) return undefined;
  const variable = variables.get(m[1]);
  if (!variable) return undefined;
  const attribute = m[3];
  if (!attribute) return variable.default === undefined || variable.default === null ? undefined : String(variable.default);
  const type = String(variable.type);
  const optional = new RegExp(`^\\s*${attribute}\\s*=\\s*optional\\(\\w+,\\s*(.+)\\)\\s*$`, 'm').exec(type);
  if (!optional?.[1]) return undefined;
  const literal = optional[1].trim();
  return literal.startsWith('"') ? (JSON.parse(literal) as string) : literal;
}

// ---- Bicep -------------------------------------------------------------------------------------

/** The Bicep CLI restored by scripts/bicep-build.sh into .bicep/, if there is one. */
export function findBicepCli(): string | undefined {
  const pkg = join(repoRoot, '.bicep', 'packages', 'azure.bicep.commandline.linux-x64');
  if (!existsSync(pkg)) return undefined;
  for (const version of readdirSync(pkg).sort().reverse()) {
    const bin = join(pkg, version, 'tools', 'bicep');
    if (existsSync(bin)) return bin;
  }
  return undefined;
}

/** Finds the Bicep CLI, restoring it with scripts/bicep-build.sh when dotnet is available. */
export async function ensureBicepCli(): Promise<string | undefined> {
  const found = findBicepCli();
  if (found) return found;
  try {
    const { stdout } = await run('bash', [join(repoRoot, 'scripts', 'bicep-build.sh'), '--path'], { timeout: 240_000 });
    const bin = stdout.trim();
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

export const SNAPSHOT_OPERATOR_ID = '00000000-0000-0000-0000-0000000000aa';

/**
 * Evaluates main.bicep with `bicep snapshot`, passing only the required parameters (so every
 * optional one takes its default) plus an operator, and returns the predicted resources.
 */
export async function bicepSnapshot(bicep: string, extraParams: readonly string[] = []): Promise<JsonObject> {
  const dir = mkdtempSync(join(tmpdir(), 'mailmig-bicep-'));
  try {
    const using = relative(dir, join(bicepDir, 'main.bicep')).split('\\').join('/');
    writeFileSync(join(dir, 'ci.bicepparam'), [
      `using '${using}'`,
      `param environmentName = 'ci'`,
      `param location = 'westeurope'`,
      `param sourceServer = { host: 'outlook.office365.com', tenantId: 'contoso.onmicrosoft.com', clientId: '11111111-1111-1111-1111-111111111111', clientSecretName: 'source-client-secret' }`,
      `param destinationServer = { host: 'imap.example.net', tenantId: 'fabrikam.onmicrosoft.com', clientId: '22222222-2222-2222-2222-222222222222', clientCertName: 'destination-cert' }`,
      `param operatorPrincipalId = '${SNAPSHOT_OPERATOR_ID}'`,
      ...extraParams,
      '',
    ].join('\n'));
    await run(bicep, [
      'snapshot', join(dir, 'ci.bicepparam'), '--mode', 'overwrite',
      '--subscription-id', '00000000-0000-0000-0000-000000000001',
      '--tenant-id', '00000000-0000-0000-0000-000000000002',
      '--location', 'westeurope',
    ], { timeout: 120_000 });
    return asObject(JSON.parse(readFileSync(join(dir, 'ci.snapshot.json'), 'utf8')), 'snapshot');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function bicepFactsFromSnapshot(snapshot: JsonObject): StackFacts {
  const resources = snapshot.predictedResources;
  if (!Array.isArray(resources)) throw new Error('snapshot: no predictedResources');
  const appSettings = new Map<string, string>();
  const roles: RoleGrant[] = [];
  for (const r of resources) {
    const res = asObject(r, 'snapshot resource');
    const props = asObject(res.properties ?? {}, `${String(res.name)}.properties`);
    if (res.type === 'Microsoft.Web/sites') {
      const site = asObject(props.siteConfig, 'siteConfig');
      if (!Array.isArray(site.appSettings)) throw new Error('siteConfig.appSettings: expected a list');
      for (const s of site.appSettings) {
        const pair = asObject(s, 'app setting');
        appSettings.set(String(pair.name), String(pair.value));
      }
    } else if (res.type === 'Microsoft.Authorization/roleAssignments') {
      const principalId = String(props.principalId);
      roles.push({
        name: String(res.name),
        roleId: roleGuid(String(props.roleDefinitionId), String(res.name)),
        principal: principalId === SNAPSHOT_OPERATOR_ID ? 'operator' : principalId.includes('userAssignedIdentities') ? 'identity' : 'operator',
      });
    }
  }
  const outputs = new Set(Object.keys(asObject(snapshot.outputs, 'snapshot outputs')));
  return { appSettings, roles, outputs };
}

/** Bicep source with whole-line `//` comments removed (URLs inside strings stay). */
function bicepSource(file: string): string {
  return readFileSync(join(bicepDir, file), 'utf8').split('\n').filter((l) => !/^\s*\/\//.test(l)).join('\n');
}

/** Without the compiler: reads the same facts from the Bicep source text. */
export function bicepFactsFromText(): StackFacts {
  const appSettings = new Map<string, string>();
  // The Durable Task Scheduler's settings replace the Azure Storage provider's only when chosen.
  const functionApp = bicepSource('modules/function-app.bicep').replace(/^var schedulerSettings = \[[\s\S]*?^\]$/m, '');
  for (const m of functionApp.matchAll(/\{\s*name:\s*'([^']+)',\s*value:\s*(.+?)\s*\}\s*$/gm)) {
    // A plain string literal is its value; anything else stays an expression.
    if (m[1] && m[2]) appSettings.set(m[1], /^'[^'$]*'$/.test(m[2]) ? m[2].slice(1, -1) : m[2]);
  }

  const roles: RoleGrant[] = [];
  const rolesText = bicepSource('modules/roles.bicep');
  for (const m of rolesText.matchAll(/^resource\s+(\w+)\s+'Microsoft\.Authorization\/roleAssignments@[^']+'[\s\S]*?^\}/gm)) {
    const body = m[0];
    const def = /roleDefinitions',\s*'([^']+)'/.exec(body);
    const principal = /principalId:\s*(\w+)/.exec(body);
    if (!m[1] || !def?.[1] || !principal?.[1]) throw new Error(`roles.bicep: cannot read ${m[1] ?? 'a role assignment'}`);
    roles.push({ name: m[1], roleId: def[1].toLowerCase(), principal: principal[1] === 'identityPrincipalId' ? 'identity' : 'operator' });
  }

  const outputs = new Set<string>();
  for (const m of bicepSource('main.bicep').matchAll(/^output\s+(\w+)\s/gm)) if (m[1]) outputs.add(m[1]);
  return { appSettings, roles, outputs };
}

export function bicepFiles(): string[] {
  const modules = readdirSync(join(bicepDir, 'modules')).filter((f) => f.endsWith('.bicep')).map((f) => `modules/${f}`);
  return ['main.bicep', ...modules.sort()];
}

export function readBicep(file: string): string {
  return readFileSync(join(bicepDir, file), 'utf8');
}

/** The predicted resources of a snapshot of one type (a resource whose condition is false is absent). */
export function snapshotResources(snapshot: JsonObject, type: string): JsonObject[] {
  const resources = snapshot.predictedResources;
  if (!Array.isArray(resources)) throw new Error('snapshot: no predictedResources');
  return resources.filter((r): r is JsonObject => isObject(r) && r.type === type);
}
