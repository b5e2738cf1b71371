import { app, type HttpFunctionOptions } from '@azure/functions';
import * as df from 'durable-functions';
import { DASHBOARD_ROUTES, TRIGGERS } from '../../shared/contracts/functions.js';
import { dashboardDataHandler } from '../lib/dashboard-handlers.js';
import { getRuntime } from '../lib/runtime.js';
import { hostDeps } from '../lib/trigger-deps.js';

/** Exported so tests can hold the registration (authLevel, route) the host sees. */
export const registration: HttpFunctionOptions = {
  methods: ['GET'],
  authLevel: 'function',
  route: DASHBOARD_ROUTES.data,
  extraInputs: [df.input.durableClient()],
  handler: dashboardDataHandler({ ...hostDeps, checkpoints: () => getRuntime().engine.checkpoints }),
};

app.http(TRIGGERS.httpDashboardData, registration);
