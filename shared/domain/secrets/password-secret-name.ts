/** Key Vault secret names allow letters, digits and '-': every other character becomes '-'. */
export function passwordSecretName(template: string, mailbox: string): string {
  return template.replace('{mailbox}', mailbox.toLowerCase().replace(/[^a-z0-9]/g, '-'));
}
