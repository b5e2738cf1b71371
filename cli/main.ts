#!/usr/bin/env node
import { Command } from 'commander';
import { SettingsError } from '../shared/config/settings.js';
import { redact } from '../shared/errors/redact.js';
import { terminalSafe } from '../shared/domain/reports/terminal-text.js';
import { UsageError } from './usage-error.js';

type Action = () => Promise<number>;

// Each command's module is imported when it runs: `--help` and small commands do not pay for
// loading the IMAP and Azure libraries.

async function run(action: Action): Promise<void> {
  try {
    process.exitCode = await action();
  } catch (e) {
    if (e instanceof SettingsError || e instanceof UsageError) {
      // Our message, line by line; the values it quotes (CSV cells, paths) are shown, never acted on.
      process.stderr.write(`${e.message.split('\n').map(terminalSafe).join('\n')}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`mailmig: ${terminalSafe(redact(e instanceof Error ? e.message : String(e)))}\n`);
    process.exitCode = 1;
  }
}

process.on('SIGINT', () => {
  // Checkpoints are written atomically after every range: running the same command again resumes.
  process.stderr.write('\ninterrupted: run the same command again to resume\n');
  process.exit(130);
});

const program = new Command('mailmig').description('Staged IMAP mailbox migration into and out of Microsoft 365').showHelpAfterError();

program
  .command('migrate')
  .description('copy the mailboxes of a CSV (first pass, or a delta pass when run again)')
  .requiredOption('--csv <file>', 'CSV of mailboxes: Email, or SourceEmail,DestinationEmail')
  .option('--settings <file>', 'local.settings.json-shaped settings file; environment variables override it')
  .option('--concurrency <n>', 'mailboxes at once (default MAX_CONCURRENT_MAILBOXES)')
  .option('--report <file>', 'where to write the JSON report (default STATE_DIR/reports/<batch>.json)')
  .option('--retry-base-ms <ms>', 'first back-off after a transient error', '2000')
  .action((o: { csv: string; settings?: string; concurrency?: string; report?: string; retryBaseMs?: string }) => run(async () => (await import('./commands/migrate.js')).migrateCommand(o)));

program
  .command('complete')
  .description('cut-over: a final delta pass, flag changes carried, verification; the mailboxes are then closed to further passes')
  .requiredOption('--csv <file>', 'CSV of mailboxes')
  .option('--settings <file>', 'local.settings.json-shaped settings file; environment variables override it')
  .option('--concurrency <n>', 'mailboxes at once (default MAX_CONCURRENT_MAILBOXES)')
  .option('--report <file>', 'where to write the JSON report')
  .option('--retry-base-ms <ms>', 'first back-off after a transient error', '2000')
  .action((o: { csv: string; settings?: string; concurrency?: string; report?: string; retryBaseMs?: string }) => run(async () => (await import('./commands/migrate.js')).migrateCommand(o, true)));

program
  .command('status')
  .description("the live view of this machine's runs (STATE_DIR): per mailbox its state, folders, messages, bytes, rate, errors with their fix, verification")
  .option('--settings <file>', 'local.settings.json-shaped settings file; environment variables override it')
  .option('--batch <id>', 'one run only (the id migrate prints)')
  .option('--offset <n>', 'first mailbox shown (0-based)', '0')
  .option('--limit <n>', 'mailboxes shown per batch', '50')
  .option('--json', 'the same view as JSON (the app dashboard\'s data shape)')
  .action((o: { settings?: string; batch?: string; offset?: string; limit?: string; json?: boolean }) => run(async () => (await import('./commands/status.js')).statusCommand(o)));

program
  .command('verify')
  .description('compare every folder of every mailbox, source against destination (PASS/FAIL)')
  .requiredOption('--csv <file>', 'CSV of mailboxes')
  .option('--settings <file>', 'local.settings.json-shaped settings file')
  .option('--concurrency <n>', 'mailboxes at once')
  .option('--report <file>', 'where to write the JSON verification')
  .action((o: { csv: string; settings?: string; concurrency?: string; report?: string }) => run(async () => (await import('./commands/verify.js')).verifyCommand(o)));

program
  .command('login')
  .description('oauth2-delegated: each mailbox owner of the CSV signs in once (device code: one code per mailbox, shown with the URL)')
  .requiredOption('--csv <file>', 'CSV of mailboxes')
  .requiredOption('--side <side>', '"source" or "destination": the side whose owners consent')
  .option('--settings <file>', 'local.settings.json-shaped settings file')
  .action((o: { csv: string; side: string; settings?: string }) => run(async () => (await import('./commands/login.js')).loginCommand(o)));

program
  .command('preflight')
  .description('check every mailbox of a CSV without copying: credentials, tokens, logins, sizes, folder names (PASS/FAIL)')
  .requiredOption('--csv <file>', 'CSV of mailboxes')
  .option('--settings <file>', 'local.settings.json-shaped settings file')
  .option('--concurrency <n>', 'mailboxes at once')
  .option('--report <file>', 'where to write the JSON preflight report')
  .option('--propagation-window <minutes>', 'retry IMAP login refusals this long (default AUTH_PROPAGATION_WINDOW_MINUTES)')
  .action((o: { csv: string; settings?: string; concurrency?: string; report?: string; propagationWindow?: string }) => run(async () => (await import('./commands/preflight.js')).preflightCommand(o)));

program
  .command('prepare')
  .description("write the PowerShell and checklist that prepare one side's mailboxes of a CSV, for that side's AUTH in --settings (app-only Exchange without it)")
  .requiredOption('--csv <file>', 'CSV of mailboxes')
  .option('--settings <file>', 'local.settings.json-shaped settings file: the side\'s AUTH (oauth2-app, oauth2-delegated, google-service-account) decides what is written')
  .option('--app-id <guid>', 'oauth2-app: Application (client) id of the app registration (default: the side\'s CLIENT_ID)')
  .option('--object-id <guid>', 'oauth2-app: Object id of the Enterprise Application (service principal), not of the App Registration')
  .option('--side <side>', 'which side to prepare: source or destination', 'source')
  .option('--organization <domain>', 'tenant domain for Connect-ExchangeOnline -Organization')
  .option('--out <file>', 'write the script here instead of standard output')
  .option('--checklist <file>', 'also write the setup checklist (Markdown) for the side\'s way in')
  .action((o: { csv: string; appId?: string; objectId?: string; side: string; organization?: string; out?: string; checklist?: string; settings?: string }) =>
    run(async () => {
      if (o.side !== 'source' && o.side !== 'destination') throw new UsageError('--side must be source or destination');
      return (await import('./commands/prepare.js')).prepareCommand({ ...o, side: o.side });
    }),
  );

await program.parseAsync(process.argv);
