import { describe, expect, it } from 'vitest';
import { getLab } from './lab-info.js';
import { startLab } from './lab.js';

// A unit test: vitest.config.ts runs it in the `unit` project, where MAILMIG_NO_LAB is set.
describe('the unit project has no lab', () => {
  it('getLab() fails at once with a message naming the lab-test convention', () => {
    expect(() => getLab()).toThrow(/vitest project "unit", which has no lab: .*\*\.lab\.test\.ts/);
  });

  it('startLab() fails before starting any server', async () => {
    await expect(startLab()).rejects.toThrow(/vitest project "unit", which has no lab/);
  });
});
