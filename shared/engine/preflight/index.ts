export { preflightMailbox, type PreflightDeps, type PreflightOptions } from './preflight-mailbox.js';
export { preflightBatch, type PreflightReport } from './preflight-batch.js';
export { CredentialMemo, type SideCredentials } from './credential-checks.js';
export { DIAGNOSES, diagnose, type Diagnosis, type DiagnosisContext, type DiagnosisRule } from './diagnoses.js';
export { AUTH_REFUSAL_CODES, isAuthRefusal, propagationDelayMs, withAuthPropagation, type PropagationOptions } from './propagation.js';
export { checkTokenClaims, expectedAudiences, type ClaimProblem, type ClaimsVerdict } from './token-claims.js';
export type { CheckId, CheckStatus, MailboxPreflight, OverLimitMessage, PreflightCheck, PreflightStats } from './types.js';
