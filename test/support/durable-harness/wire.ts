// The orchestrator's reply as the host receives it: the SDK's OrchestratorState serialized to
// JSON (Dates become ISO strings, undefined fields vanish, string inputs arrive double-encoded).
// Everything downstream works on this wire form, never on the SDK's objects.
import { ActionType } from './durable-internals.js';

export interface WireRetryOptions {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

export interface WireAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  retryOptions?: WireRetryOptions;
  compoundActions?: WireAction[];
}

export interface WireState {
  isDone: boolean;
  /** Schema V2+: one list, one entry per yield (plus fire-and-forget actions). */
  actions: WireAction[];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const optString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const optNumber = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

function toRetryOptions(value: unknown): WireRetryOptions | undefined {
  if (!isRecord(value)) return undefined;
  const first = optNumber(value.firstRetryIntervalInMilliseconds);
  const attempts = optNumber(value.maxNumberOfAttempts);
  if (first === undefined || attempts === undefined) {
    // The extension's RetryOptionsConverter rejects such JSON the same way.
    throw new Error('retryOptions must contain firstRetryIntervalInMilliseconds and maxNumberOfAttempts');
  }
  return {
    firstRetryIntervalInMilliseconds: first,
    maxNumberOfAttempts: attempts,
    backoffCoefficient: optNumber(value.backoffCoefficient),
    maxRetryIntervalInMilliseconds: optNumber(value.maxRetryIntervalInMilliseconds),
    retryTimeoutInMilliseconds: optNumber(value.retryTimeoutInMilliseconds),
  };
}

export function toWireAction(value: unknown): WireAction {
  if (!isRecord(value) || typeof value.actionType !== 'number') throw new Error(`not an action: ${JSON.stringify(value)}`);
  return {
    actionType: value.actionType,
    functionName: optString(value.functionName),
    input: value.input,
    instanceId: optString(value.instanceId),
    fireAt: optString(value.fireAt),
    isCanceled: typeof value.isCanceled === 'boolean' ? value.isCanceled : undefined,
    externalEventName: optString(value.externalEventName),
    retryOptions: toRetryOptions(value.retryOptions),
    compoundActions: Array.isArray(value.compoundActions) ? value.compoundActions.map(toWireAction) : undefined,
  };
}

/** JSON round trip of the SDK's state object, exactly what crosses the worker boundary. */
export function toWireState(state: unknown): WireState {
  const json: unknown = JSON.parse(JSON.stringify(state));
  if (!isRecord(json) || typeof json.isDone !== 'boolean' || !Array.isArray(json.actions)) {
    throw new Error(`unexpected orchestrator state: ${JSON.stringify(json)}`);
  }
  const outer: unknown[] = json.actions;
  if (outer.length !== 1 || !Array.isArray(outer[0])) {
    // The extension insists on this for schema V2+ ("expected actions array to be of length 1").
    throw new Error(`expected one list of actions (replay schema V2+), got ${outer.length}`);
  }
  const inner: unknown[] = outer[0];
  return {
    isDone: json.isDone,
    actions: inner.map(toWireAction),
    output: json.output,
    error: optString(json.error),
    customStatus: json.customStatus,
  };
}

/**
 * The value a function receives for an action's input. callActivity and continueAsNew pass string
 * inputs through JSON.stringify (Utils.processInput) so the host keeps them as JSON strings; the
 * receiver sees the plain string again. Sub-orchestration inputs are sent as they are. A missing
 * input arrives as null.
 */
export function decodeInput(action: WireAction): unknown {
  const stringEncoded =
    action.actionType === ActionType.CallActivity ||
    action.actionType === ActionType.CallActivityWithRetry ||
    action.actionType === ActionType.ContinueAsNew;
  if (action.input === undefined) return null;
  if (stringEncoded && typeof action.input === 'string') return JSON.parse(action.input) as unknown;
  return action.input;
}

/** JSON text as the host stores payloads; undefined is stored as null. Throws like the worker on BigInt or cycles. */
export const toJson = (value: unknown): string => JSON.stringify(value) ?? 'null';

export const byteSize = (json: string): number => Buffer.byteLength(json, 'utf8');

const typeName = (type: number): string =>
  Object.entries(ActionType).find(([, value]) => value === type)?.[0] ?? `ActionType(${type})`;

/** One readable line per action, used in determinism diffs and error messages. */
export function describeAction(action: WireAction): string {
  const parts = [typeName(action.actionType)];
  if (action.functionName !== undefined) parts.push(`'${action.functionName}'`);
  if (action.instanceId !== undefined) parts.push(`instanceId=${action.instanceId}`);
  if (action.externalEventName !== undefined) parts.push(`event='${action.externalEventName}'`);
  if (action.fireAt !== undefined) parts.push(`fireAt=${action.fireAt}${action.isCanceled ? ' (canceled)' : ''}`);
  if (action.retryOptions !== undefined) parts.push(`retry=${JSON.stringify(action.retryOptions)}`);
  if (action.input !== undefined) parts.push(`input=${JSON.stringify(action.input)}`);
  if (action.compoundActions !== undefined) parts.push(`[ ${action.compoundActions.map(describeAction).join(' | ')} ]`);
  return parts.join(' ');
}
