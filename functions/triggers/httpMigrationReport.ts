import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { TRIGGERS } from '../../shared/contracts/functions.js';
import { reportHandler } from '../lib/http-handlers.js';
import { hostDeps } from '../lib/trigger-deps.js';

app.http(TRIGGERS.httpMigrationReport, {
  methods: ['GET'],
  authLevel: 'function',
  route: 'migrations/{id}/report',
  extraInputs: [df.input.durableClient()],
  handler: reportHandler(hostDeps),
});
