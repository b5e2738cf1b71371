// A stand-in for the Functions worker's `@azure/functions-core` module, preloaded with
// `node --import` before an app's entry point is imported, the way the Node worker provides it:
// the worker answers require('@azure/functions-core') itself (the package is not on npm), and
// @azure/functions requires it from its CommonJS bundle. Every registerFunction call is
// recorded; at exit the records go to the file named by FUNCTIONS_CORE_RECORD as JSON:
// [{ name, bindings, retryOptions }].
import Module from 'node:module';
import { writeFileSync } from 'node:fs';
import process from 'node:process';

const registrations = [];
const core = {
  registerFunction(metadata) {
    registrations.push({ name: metadata.name, bindings: metadata.bindings, retryOptions: metadata.retryOptions ?? null });
    return { dispose() {} };
  },
  setProgrammingModel() {},
  getProgrammingModel() {
    return undefined;
  },
  registerHook() {
    return { dispose() {} };
  },
  log() {},
};

const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === '@azure/functions-core') return core;
  return load.call(this, request, parent, isMain);
};

process.on('exit', () => {
  if (process.env.FUNCTIONS_CORE_RECORD) writeFileSync(process.env.FUNCTIONS_CORE_RECORD, JSON.stringify(registrations));
});
