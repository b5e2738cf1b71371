import * as df from 'durable-functions';
import { ACTIVITIES } from '../../shared/contracts/functions.js';
import { getRuntime } from '../lib/runtime.js';
import type { Activities } from './handlers.js';

df.app.activity(ACTIVITIES.syncFolderFlags, {
  handler: (input: Parameters<Activities['syncFolderFlags']>[0]) => getRuntime().activities.syncFolderFlags(input),
});
