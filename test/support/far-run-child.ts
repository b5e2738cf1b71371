import { getLab } from '../lab/lab-info.js';
import { runThroughEngine } from './engine-run.js';

/**
 * One batch through the engine in a process of its own, the servers believed far (60 ms): what
 * a test SIGKILLs to see lanes and slot hand-overs die at any moment (far-run.ts starts it).
 * FAR_RUN_SPEC (JSON): addresses, state directory, settings over the lab's (the proxies' ports).
 * Prints the mailboxes' states as JSON.
 */
interface FarRunSpec {
  addresses: string[];
  stateDir: string;
  settings: Record<string, string>;
}

const spec = JSON.parse(process.env.FAR_RUN_SPEC ?? '{}') as FarRunSpec;
const run = await runThroughEngine(getLab(), spec.addresses, { stateDir: spec.stateDir, roundTripMs: 60, settings: spec.settings });
process.stdout.write(`${JSON.stringify(run.report.mailboxes.map((m) => m.state))}\n`);
