import * as df from 'durable-functions';
import { ACTIVITIES } from '../../shared/contracts/functions.js';
import { getRuntime } from '../lib/runtime.js';
import type { Activities } from './handlers.js';

df.app.activity(ACTIVITIES.copyMessageRange, {
  handler: (input: Parameters<Activities['copyMessageRange']>[0]) => getRuntime().activities.copyMessageRange(input),
});
