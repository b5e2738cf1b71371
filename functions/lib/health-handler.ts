import type { HttpResponseInit } from '@azure/functions';
import { loadSettings, SettingsError, type SettingsSource } from '../../shared/config/settings.js';

/** The settings problems of this process, by key, never by value: empty when they are valid. */
export function settingsProblems(env: SettingsSource): readonly string[] {
  try {
    loadSettings(env);
    return [];
  } catch (e) {
    if (e instanceof SettingsError) return e.problems;
    throw e;
  }
}

/**
 * GET /api/health — 200 when the app settings are valid, 503 with the problems (which keys are
 * missing or wrong, never their values) when not. A mis-set app still starts and registers
 * every function, so the blob extension key appears and this report is reachable; the
 * functions themselves refuse to run until the settings are fixed.
 */
export function healthHandler(env: SettingsSource = process.env) {
  return (): Promise<HttpResponseInit> => {
    const problems = settingsProblems(env);
    const body = problems.length === 0 ? { status: 'ok' } : { status: 'misconfigured', problems };
    return Promise.resolve({ status: problems.length === 0 ? 200 : 503, jsonBody: body, headers: { 'content-type': 'application/json' } });
  };
}
