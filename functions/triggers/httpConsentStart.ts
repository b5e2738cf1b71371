import { app } from '@azure/functions';
import { TRIGGERS } from '../../shared/contracts/functions.js';
import { CONSENT_ROUTES, consentStartHandler } from '../lib/consent-handlers.js';
import { consentDeps } from '../lib/trigger-deps.js';

app.http(TRIGGERS.httpConsentStart, {
  methods: ['GET'],
  authLevel: 'function',
  route: CONSENT_ROUTES.start,
  handler: consentStartHandler(consentDeps),
});
