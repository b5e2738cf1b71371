import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { TRIGGERS } from '../../shared/contracts/functions.js';
import { passHandler } from '../lib/http-handlers.js';
import { hostDeps } from '../lib/trigger-deps.js';

app.http(TRIGGERS.httpMigrationComplete, {
  methods: ['POST'],
  authLevel: 'function',
  route: 'migrations/{id}/complete',
  extraInputs: [df.input.durableClient()],
  handler: passHandler(hostDeps, 'cutover'),
});
