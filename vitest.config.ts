import { defineConfig } from 'vitest/config';

/**
 * Three projects. `unit` starts no server and finishes in seconds; `infra` compiles and reads the
 * deployment templates (no server either, but slower); `lab` runs against the real stand-ins that
 * test/lab/global-setup.ts starts. A file is a lab test when its name says so
 * (`*.lab.test.ts`, or `*.e2e.test.ts`: an end-to-end test always needs the lab); every other
 * test file is a unit test. A unit test that reaches for the lab anyway fails at once with a
 * message naming this convention (MAILMIG_NO_LAB, read by getLab and startLab).
 * See test/lab/README.md.
 */
const LAB_TESTS = ['test/**/*.lab.test.ts', 'test/**/*.e2e.test.ts'];
/** The infrastructure templates, compiled with the real Bicep CLI and parsed from Terraform: no server, but tens of seconds. */
const INFRA_TESTS = ['test/infra/**/*.test.ts'];

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...LAB_TESTS, ...INFRA_TESTS],
          env: { MAILMIG_NO_LAB: 'unit' },
        },
      },
      {
        extends: true,
        test: {
          name: 'infra',
          include: INFRA_TESTS,
          env: { MAILMIG_NO_LAB: 'infra' },
        },
      },
      {
        extends: true,
        test: {
          name: 'lab',
          include: LAB_TESTS,
          globalSetup: ['test/lab/global-setup.ts'],
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
