import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommandDispatcher } from '../../../../../shared/adapters/imap/protocol/command-dispatcher.js';
import type { ImapResponse } from '../../../../../shared/adapters/imap/protocol/imap-response.js';
import { ResponseFramer } from '../../../../../shared/adapters/imap/protocol/response-framer.js';
import type { UntaggedHandlers } from '../../../../../shared/adapters/imap/protocol/untagged-routing.js';
import { ImapFailure } from '../../../../../shared/errors/imap-failure.js';
import { itemBytes, itemResponse, splits, summary, untaggedItem, type Item } from './transcript.js';

/**
 * The framer and the dispatcher together, as the raw connection uses them: n commands in flight,
 * the server's answers tagged in any order, untagged answers between them, and now and then a
 * BYE in the middle of the pipeline.
 */
interface Pipeline {
  commands: number;
  items: Item[];
}

const eol = fc.constantFrom('\r\n', '\n');
const answerText = fc.constantFrom('done', '[APPENDUID 7 12] APPEND completed', '[OVERQUOTA] Quota exceeded', '[TRYCREATE] Mailbox does not exist', 'Request is throttled. Suggested Backoff Time: 500 milliseconds', '');

const pipeline: fc.Arbitrary<Pipeline> = fc.integer({ min: 1, max: 8 }).chain((commands) =>
  fc
    .record({
      answers: fc.shuffledSubarray(
        Array.from({ length: commands }, (_, i) => `A${i + 1}`),
        { minLength: commands, maxLength: commands },
      ),
      statuses: fc.array(fc.constantFrom<'OK' | 'NO' | 'BAD'>('OK', 'OK', 'NO', 'BAD'), { minLength: commands, maxLength: commands }),
      texts: fc.array(answerText, { minLength: commands, maxLength: commands }),
      eols: fc.array(eol, { minLength: commands, maxLength: commands }),
      untagged: fc.array(fc.tuple(untaggedItem, fc.nat()), { maxLength: 10 }),
      bye: fc.option(fc.record({ at: fc.nat(), text: fc.constantFrom('Session invalidated - AccessTokenExpired', 'Server shutting down'), eol })),
    })
    .map(({ answers, statuses, texts, eols, untagged, bye }) => {
      const items: Item[] = answers.map((tag, i) => ({ kind: 'tagged', tag, status: statuses[i]!, text: texts[i]!, eol: eols[i]! }));
      // Untagged answers go in between the tagged ones, at positions drawn for each.
      for (const [item, at] of untagged) items.splice(at % (items.length + 1), 0, item);
      if (bye) items.splice(bye.at % (items.length + 1), 0, { kind: 'bye', text: bye.text, eol: bye.eol });
      return { commands, items };
    }),
);

type Outcome = string;

function show(r: ImapResponse): string {
  const s = summary({ responses: [r] }).responses[0]!;
  return `${s.parts.join('|')}#${s.literals.join(',')}`;
}

/** Which handlers command i (1-based) has: FETCH all, EXISTS the even ones, OK the first. */
function handlerKeywords(i: number): string[] {
  return ['FETCH', ...(i % 2 === 0 ? ['EXISTS'] : []), ...(i === 1 ? ['OK'] : [])];
}

async function run(commands: number, chunks: readonly Buffer[]): Promise<{ log: string[]; outcomes: Outcome[] }> {
  const log: string[] = [];
  const framer = new ResponseFramer();
  const d = new CommandDispatcher({ tagPrefix: 'A', write: () => undefined, onUnclaimed: (r) => log.push(`unclaimed <- ${show(r)}`) });
  const answers = Array.from({ length: commands }, (_, k) => {
    const tag = `A${k + 1}`;
    const untagged: UntaggedHandlers = Object.fromEntries(handlerKeywords(k + 1).map((kw) => [kw, (r: ImapResponse) => log.push(`${tag} <- ${show(r)}`)]));
    return d.send([`NOOP\r\n`], untagged).answer;
  });
  for (const c of chunks) framer.push(c, (r) => d.receive(r));
  const settled = await Promise.allSettled(answers);
  const outcomes = settled.map((s) => (s.status === 'fulfilled' ? `ok ${s.value}` : s.reason instanceof ImapFailure ? `${s.reason.kind} [${s.reason.code}] ${s.reason.text}` : `other ${String(s.reason)}`));
  return { log, outcomes };
}

/** What RFC 3501 and the routing rule say must happen, worked out from the items themselves. */
function expected(p: Pipeline): { log: string[]; outcomes: Outcome[] } {
  const log: string[] = [];
  const pending = Array.from({ length: p.commands }, (_, k) => k + 1);
  const outcomes: Outcome[] = Array.from({ length: p.commands }, () => 'unanswered');
  for (const item of p.items) {
    const r = itemResponse(item);
    if (item.kind === 'bye') {
      for (const i of pending) outcomes[i - 1] = `bye [] ${item.text}`;
      break;
    }
    if (item.kind === 'tagged') {
      const i = Number(item.tag.slice(1));
      pending.splice(pending.indexOf(i), 1);
      const code = /^\[([A-Z-]+)/.exec(item.text)?.[1] ?? '';
      const rest = `${item.status} ${item.text}`;
      const text = rest.replace(/^\S+\s+(\[[^\]]*\]\s*)?/, '');
      outcomes[i - 1] = item.status === 'OK' ? `ok ${rest}` : `${item.status === 'NO' ? 'no' : 'bad'} [${code}] ${text}`;
      continue;
    }
    const first = r.parts[0]!;
    if (first.startsWith('+')) continue;
    const keyword = /^\*\s+(?:\d+\s+)?([A-Za-z]+)/.exec(first)?.[1]?.toUpperCase() ?? '';
    const owner = pending.find((i) => handlerKeywords(i).includes(keyword));
    log.push(`${owner === undefined ? 'unclaimed' : `A${owner}`} <- ${show(r)}`);
  }
  return { log, outcomes };
}

const withSplits = pipeline.chain((p) => fc.tuple(fc.constant(p), splits(Buffer.concat(p.items.map(itemBytes)))));

describe('framer and dispatcher properties', () => {
  it('a pipeline answered out of order, split at any byte boundaries, settles every command as when fed whole', async () => {
    await fc.assert(
      fc.asyncProperty(withSplits, async ([p, chunks]) => {
        expect(await run(p.commands, chunks)).toEqual(await run(p.commands, [Buffer.concat(p.items.map(itemBytes))]));
      }),
      { numRuns: 200 },
    );
  });

  it('each command gets its own tagged answer and the untagged answers it asked for; a BYE fails all still in flight', async () => {
    await fc.assert(
      fc.asyncProperty(withSplits, async ([p, chunks]) => {
        expect(await run(p.commands, chunks)).toEqual(expected(p));
      }),
      { numRuns: 200 },
    );
  });
});
