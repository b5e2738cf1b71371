export { renderPrepareScript, SERVICE_PRINCIPAL_DISPLAY_NAME } from './render-prepare-script.js';
export { renderAppRegistrationChecklist } from './render-app-registration-checklist.js';
export { PrepareScriptInputError, validatePrepareInput } from './prepare-input.js';
export type { PrepareInputProblem, PrepareScriptOptions } from './prepare-input.js';
export { powerShellSingleQuoted, unsafeScriptCharacters } from './powershell-literal.js';
export { EXCHANGE_ONLINE_IMAP_SCOPE, EXCHANGE_ONLINE_RESOURCE_APP_ID, IMAP_ACCESS_AS_APP_ROLE_ID } from './exchange-online-ids.js';
