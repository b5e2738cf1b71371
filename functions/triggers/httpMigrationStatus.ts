import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { TRIGGERS } from '../../shared/contracts/functions.js';
import { statusHandler } from '../lib/http-handlers.js';
import { hostDeps } from '../lib/trigger-deps.js';

app.http(TRIGGERS.httpMigrationStatus, {
  methods: ['GET'],
  authLevel: 'function',
  route: 'migrations/{id}',
  extraInputs: [df.input.durableClient()],
  handler: statusHandler(hostDeps),
});
