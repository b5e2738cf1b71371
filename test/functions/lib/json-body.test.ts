import { describe, expect, it } from 'vitest';
import { jsonBodyToCsv } from '../../../functions/lib/json-body.js';

const problems = (body: unknown) => {
  const r = jsonBodyToCsv(Buffer.from(JSON.stringify(body)));
  return r.ok ? [] : r.problems.map((p) => ({ line: p.line, field: p.field }));
};

describe('jsonBodyToCsv: a bad row names the field that is wrong', () => {
  it('a good source with a destination that is not a string -> destinationEmail', () => {
    expect(problems({ mailboxes: [{ sourceEmail: 'a@x.com', destinationEmail: 42 }] })).toEqual([{ line: 2, field: 'destinationEmail' }]);
  });

  it('"email" given but not a string -> email; nothing given -> sourceEmail', () => {
    expect(problems([{ email: ['a@x.com'] }, {}])).toEqual([{ line: 2, field: 'email' }, { line: 3, field: 'sourceEmail' }]);
  });

  it('good rows still become the CSV', () => {
    const r = jsonBodyToCsv(Buffer.from(JSON.stringify({ mailboxes: [{ email: 'a@x.com' }, { sourceEmail: 'b@x.com', destinationEmail: 'b@y.com' }] })));
    expect(r.ok && r.csv.toString()).toBe('SourceEmail,DestinationEmail\r\n"a@x.com","a@x.com"\r\n"b@x.com","b@y.com"');
  });
});
