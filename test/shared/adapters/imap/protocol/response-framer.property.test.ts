import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frame, itemBytes, itemResponse, splits, summary, untaggedItem, type Item } from './transcript.js';

const transcript = fc.array(untaggedItem, { minLength: 1, maxLength: 12 });

function bytesOf(items: readonly Item[]): Buffer {
  return Buffer.concat(items.map(itemBytes));
}

describe('ResponseFramer properties', () => {
  it('server output split at any byte boundaries frames into the same responses as fed whole', () => {
    fc.assert(
      fc.property(
        transcript.chain((items) => fc.tuple(fc.constant(items), splits(bytesOf(items)))),
        ([items, chunks]) => {
          expect(summary(frame(chunks))).toEqual(summary(frame([bytesOf(items)])));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('every response comes out as the server wrote it: text parts around literals, literal bytes exact', () => {
    fc.assert(
      fc.property(
        transcript.chain((items) => fc.tuple(fc.constant(items), splits(bytesOf(items)))),
        ([items, chunks]) => {
          expect(summary(frame(chunks))).toEqual(summary({ responses: items.map(itemResponse) }));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a line over the bound fails at the same response, whatever the split', () => {
    const long = fc.integer({ min: 1, max: 80 }).map((n): Item => ({ kind: 'line', text: `* ${'y'.repeat(n)}`, eol: '\r\n' }));
    fc.assert(
      fc.property(
        fc.array(fc.oneof(untaggedItem, long), { minLength: 1, maxLength: 8 }).chain((items) => fc.tuple(fc.constant(items), splits(bytesOf(items)))),
        ([items, chunks]) => {
          expect(summary(frame(chunks, 48))).toEqual(summary(frame([bytesOf(items)], 48)));
        },
      ),
      { numRuns: 300 },
    );
  });
});
