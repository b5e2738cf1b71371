import { describe, expect, it } from 'vitest';
import { aadstsSetting, aadstsSummary } from '../../../shared/errors/aadsts.js';

/** MSAL's message for a wrong client secret: the description twice, with Entra's trace lines. */
const MSAL_TEXT =
  "invalid_client: Error(s): 7000215 - Timestamp: 2026-12-04 23:05:56Z - Description: AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app 'c0ffee'.\r\nTrace ID: 5aec\r\nCorrelation ID: 5888\r\nTimestamp: 2026-12-04 23:05:56Z - Correlation ID: 5888 - Trace ID: 5aec | AADSTS7000215: Invalid client secret provided. Ensure the secret being sent.\r\nTrace ID: 5aec";

describe('aadsts', () => {
  it('aadstsSummary: the AADSTS code and its first sentence, once, without trace lines', () => {
    expect(aadstsSummary(MSAL_TEXT)).toBe('AADSTS7000215: Invalid client secret provided.');
  });

  it('aadstsSummary: text without an AADSTS code gives nothing', () => {
    expect(aadstsSummary('endpoints_resolution_error: See https://aka.ms/msal.js.errors')).toBeUndefined();
  });

  it('aadstsSetting: names the setting of the side an AADSTS code points at', () => {
    expect(aadstsSetting(MSAL_TEXT, 'SOURCE')).toMatch(/^SOURCE_CLIENT_SECRET_NAME/);
    expect(aadstsSetting('AADSTS700016: Application not found', 'DESTINATION')).toBe('DESTINATION_CLIENT_ID');
    expect(aadstsSetting('AADSTS90002: Tenant not found', 'SOURCE')).toBe('SOURCE_TENANT_ID');
    expect(aadstsSetting('AADSTS50000: something else', 'SOURCE')).toBeUndefined();
  });
});
