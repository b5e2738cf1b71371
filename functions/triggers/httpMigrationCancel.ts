import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { TRIGGERS } from '../../shared/contracts/functions.js';
import { cancelHandler } from '../lib/http-handlers.js';
import { hostDeps } from '../lib/trigger-deps.js';

app.http(TRIGGERS.httpMigrationCancel, {
  methods: ['POST'],
  authLevel: 'function',
  route: 'migrations/{id}/cancel',
  extraInputs: [df.input.durableClient()],
  handler: cancelHandler(hostDeps),
});
