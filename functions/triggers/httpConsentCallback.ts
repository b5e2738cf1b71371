import { app } from '@azure/functions';
import { TRIGGERS } from '../../shared/contracts/functions.js';
import { CONSENT_ROUTES, consentCallbackHandler } from '../lib/consent-handlers.js';
import { consentDeps } from '../lib/trigger-deps.js';

app.http(TRIGGERS.httpConsentCallback, {
  methods: ['GET'],
  // The authority's redirect brings no function key (putting one in the registered redirect URI
  // would leak it to the authority's logs and the browser's history). The handler does nothing
  // for a request without a state this app sealed, unexpired, and the cookie of the same start.
  authLevel: 'anonymous',
  route: CONSENT_ROUTES.callback,
  handler: consentCallbackHandler(consentDeps),
});
