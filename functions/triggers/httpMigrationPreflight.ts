import { app } from '@azure/functions';
import { TRIGGERS } from '../../shared/contracts/functions.js';
import { preflightHandler } from '../lib/preflight-handler.js';
import { getRuntime } from '../lib/runtime.js';

// No durable client binding: a preflight starts nothing.
app.http(TRIGGERS.httpMigrationPreflight, {
  methods: ['POST'],
  authLevel: 'function',
  route: 'migrations/preflight',
  handler: preflightHandler({ settings: () => getRuntime().settings, engine: () => getRuntime().engine }),
});
