import { describe, expect, it } from 'vitest';
import { byeFailure, parseTaggedAnswer, refusal } from '../../../../../shared/adapters/imap/protocol/tagged-answer.js';

describe('tagged answers', () => {
  it('an OK with a response code splits into tag, status, code, text and the rest after the tag', () => {
    expect(parseTaggedAnswer('P12 OK [APPENDUID 38505 3955] APPEND completed')).toEqual({ tag: 'P12', status: 'OK', code: 'APPENDUID', text: 'APPEND completed', rest: 'OK [APPENDUID 38505 3955] APPEND completed' });
  });

  it('status and code are upper-cased, a missing code is empty', () => {
    expect(parseTaggedAnswer('a1 no [overquota] Quota exceeded')).toMatchObject({ status: 'NO', code: 'OVERQUOTA', text: 'Quota exceeded' });
    expect(parseTaggedAnswer('a1 BAD Error in IMAP command')).toMatchObject({ status: 'BAD', code: '', text: 'Error in IMAP command' });
  });

  it('a refusal carries the kind, the code, the text and the response text with its code', () => {
    expect(refusal(parseTaggedAnswer('S4 NO [ALREADYEXISTS] Mailbox already exists'))).toMatchObject({ kind: 'no', code: 'ALREADYEXISTS', text: 'Mailbox already exists', responseText: '[ALREADYEXISTS] Mailbox already exists' });
  });

  it('a BYE keeps its text whole as the response text', () => {
    expect(byeFailure('* BYE Session invalidated - AccessTokenExpired')).toMatchObject({ kind: 'bye', code: '', text: 'Session invalidated - AccessTokenExpired', responseText: 'Session invalidated - AccessTokenExpired' });
    expect(byeFailure('* BYE')).toMatchObject({ kind: 'bye', text: '', responseText: '' });
  });
});
