import { app } from '@azure/functions';
import { TRIGGERS } from '../../shared/contracts/functions.js';
import { healthHandler } from '../lib/health-handler.js';

app.http(TRIGGERS.httpHealth, {
  methods: ['GET'],
  authLevel: 'function',
  route: 'health',
  handler: healthHandler(),
});
