import { describe, expect, it } from 'vitest';
import { addressKey, folderRef, mailboxPair } from '../../../shared/contracts/mailbox-pair.js';

describe('mailbox pair', () => {
  it('the key is both addresses lower-cased, joined by "->", exactly as ledgers written before it were keyed', () => {
    const pair = mailboxPair({ sourceEmail: 'Alice.Smith@Contoso.COM', destinationEmail: 'alice@Fabrikam.example' });
    expect(pair).toEqual({ sourceEmail: 'Alice.Smith@Contoso.COM', destinationEmail: 'alice@Fabrikam.example', key: 'alice.smith@contoso.com->alice@fabrikam.example' });
  });

  it('addresses that differ only in case have the same key; the pair keeps them as given for display', () => {
    expect(addressKey('Bob@Contoso.com')).toBe(addressKey('bob@contoso.COM'));
    expect(mailboxPair({ sourceEmail: 'Bob@Contoso.com', destinationEmail: 'Bob@Contoso.com' }).sourceEmail).toBe('Bob@Contoso.com');
  });

  it('folderRef names the folder by the pair: its key is the ledger mailbox, its fields in the order the history has always held', () => {
    const ref = folderRef(mailboxPair({ sourceEmail: 'A@x.com', destinationEmail: 'B@y.com' }), { sourcePath: 'INBOX/Sub', destinationPath: 'Inbox/Sub' });
    expect(JSON.stringify(ref)).toBe('{"mailbox":"a@x.com->b@y.com","sourceEmail":"A@x.com","destinationEmail":"B@y.com","sourcePath":"INBOX/Sub","destinationPath":"Inbox/Sub"}');
  });
});
