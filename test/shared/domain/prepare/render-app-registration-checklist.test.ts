import { describe, expect, it } from 'vitest';
import {
  EXCHANGE_ONLINE_RESOURCE_APP_ID,
  IMAP_ACCESS_AS_APP_ROLE_ID,
} from '../../../../shared/domain/prepare/exchange-online-ids.js';
import { PrepareScriptInputError } from '../../../../shared/domain/prepare/prepare-input.js';
import { renderAppRegistrationChecklist } from '../../../../shared/domain/prepare/render-app-registration-checklist.js';

describe('renderAppRegistrationChecklist', () => {
  it('walks through permission, admin consent, credential, Key Vault and the enterprise application object id', () => {
    const markdown = renderAppRegistrationChecklist({ appId: '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b' });
    expect(markdown.startsWith('# App registration checklist for app `6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b`\n')).toBe(true);
    for (const step of [
      '**Office 365 Exchange Online** > **Application permissions** > `IMAP.AccessAsApp`',
      'Grant admin consent',
      'certificate (preferred)',
      'Key Vault',
      'Enterprise applications',
      'https://outlook.office365.com/.default',
    ]) {
      expect(markdown).toContain(step);
    }
  });

  it('carries a manifest fragment with the Exchange Online resource and the IMAP.AccessAsApp role', () => {
    const markdown = renderAppRegistrationChecklist();
    const json = /```json\n([\s\S]*?)\n```/.exec(markdown)?.[1] ?? '';
    expect(JSON.parse(json)).toEqual({
      requiredResourceAccess: [
        { resourceAppId: '00000002-0000-0ff1-ce00-000000000000', resourceAccess: [{ id: '5e5addcd-3e8d-4e90-baf5-964efab2b20a', type: 'Role' }] },
      ],
    });
    expect(markdown).toContain("Where-Object Value -eq 'IMAP.AccessAsApp'");
  });

  it('uses the published ids of Office 365 Exchange Online and its IMAP.AccessAsApp role', () => {
    expect(EXCHANGE_ONLINE_RESOURCE_APP_ID).toBe('00000002-0000-0ff1-ce00-000000000000');
    expect(IMAP_ACCESS_AS_APP_ROLE_ID).toBe('5e5addcd-3e8d-4e90-baf5-964efab2b20a');
  });

  it('without an appId it starts with creating the registration', () => {
    const markdown = renderAppRegistrationChecklist({});
    expect(markdown).toContain('# App registration checklist for the migration app\n');
    expect(markdown).toContain('New registration (single tenant)');
  });

  it('an appId that is not a GUID is rejected, naming the field', () => {
    expect(() => renderAppRegistrationChecklist({ appId: 'contoso' })).toThrow(PrepareScriptInputError);
    expect(() => renderAppRegistrationChecklist({ appId: 'contoso' })).toThrow(/appId "contoso": must be a GUID/);
  });
});
