import { app, type HttpFunctionOptions } from '@azure/functions';
import { DASHBOARD_ROUTES, TRIGGERS } from '../../shared/contracts/functions.js';
import { dashboardPageHandler } from '../lib/dashboard-handlers.js';

// Function-key protected like every function: the host refuses a request without the key before this runs.
/** Exported so tests can hold the registration (authLevel, route) the host sees. */
export const registration: HttpFunctionOptions = {
  methods: ['GET'],
  authLevel: 'function',
  route: DASHBOARD_ROUTES.page,
  handler: dashboardPageHandler(),
};

app.http(TRIGGERS.httpDashboard, registration);
