import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_CSP, DASHBOARD_HTML } from '../../../functions/lib/dashboard-page.js';
import { DASHBOARD_SCRIPT } from '../../../functions/lib/dashboard-script.js';

describe('dashboard page', () => {
  it('the CSP allows exactly the inline script and style the page holds (by hash), nothing else', () => {
    const script = /<script>([\s\S]*)<\/script>/.exec(DASHBOARD_HTML)![1]!;
    const style = /<style>([\s\S]*)<\/style>/.exec(DASHBOARD_HTML)![1]!;
    expect(script).toBe(DASHBOARD_SCRIPT);
    const h = (t: string): string => `'sha256-${createHash('sha256').update(t).digest('base64')}'`;
    expect(DASHBOARD_CSP).toContain(`script-src ${h(script)};`);
    expect(DASHBOARD_CSP).toContain(`style-src ${h(style)};`);
    expect(DASHBOARD_CSP).toMatch(/^default-src 'none';/);
    expect(DASHBOARD_CSP).not.toMatch(/unsafe-inline|unsafe-eval/);
  });

  it('the script writes data as text only: no innerHTML, outerHTML, insertAdjacentHTML, document.write or eval', () => {
    expect(DASHBOARD_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
  });
});
