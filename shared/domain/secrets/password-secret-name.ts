import { addressKey } from '../../contracts/mailbox-pair.js';

/** Key Vault secret names allow letters, digits and '-': every other character becomes '-'. */
export function passwordSecretName(template: string, mailbox: string): string {
  return template.replace('{mailbox}', addressKey(mailbox).replace(/[^a-z0-9]/g, '-'));
}
