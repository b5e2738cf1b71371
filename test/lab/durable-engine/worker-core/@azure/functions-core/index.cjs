/* global module */
'use strict';
// The Node worker gives apps this module at run time (it is not on npm): @azure/functions
// requires it to hand over every registration. The lab's worker stand-in (../../../worker-bridge.ts)
// puts this folder on NODE_PATH and reads what the app registered from the registry below.
const registry = (globalThis.__mailmigWorkerRegistry ??= { functions: new Map(), programmingModel: undefined });

module.exports = {
  setProgrammingModel(model) {
    registry.programmingModel = model;
  },
  getProgrammingModel() {
    return registry.programmingModel;
  },
  registerFunction(metadata, handler) {
    registry.functions.set(metadata.name, { metadata, handler });
    return { dispose: () => registry.functions.delete(metadata.name) };
  },
  // Hooks (app start/terminate, pre/post invocation) are not run by the stand-in.
  registerHook() {
    return { dispose: () => undefined };
  },
  log() {},
};
