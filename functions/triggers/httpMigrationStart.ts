import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { TRIGGERS } from '../../shared/contracts/functions.js';
import { startHandler } from '../lib/http-handlers.js';
import { hostDeps } from '../lib/trigger-deps.js';

app.http(TRIGGERS.httpMigrationStart, {
  methods: ['POST'],
  authLevel: 'function',
  route: 'migrations',
  extraInputs: [df.input.durableClient()],
  handler: startHandler(hostDeps),
});
