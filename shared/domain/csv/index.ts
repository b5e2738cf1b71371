export { parseMailboxCsv, DEFAULT_MAX_ROWS } from './parse-mailbox-csv.js';
export type { ParseMailboxCsvOptions } from './parse-mailbox-csv.js';
export { emailAddressProblem, isValidEmailAddress, MAX_ADDRESS_LENGTH } from './email-address.js';
export { formatCsvProblem } from './format-csv-problem.js';
export { MAX_LISTED_PROBLEMS } from './problem-list.js';
