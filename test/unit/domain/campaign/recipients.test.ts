import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  readRecipients,
  RECIPIENT_LIMITS,
  type RecipientFileErrorCode,
  type RecipientFileRules,
  type RecipientRow,
  RecipientFileError,
  recipientFormatFromFileName,
} from '../../../../lambdas/domain/campaign/recipients';
import { workflowColumns, workflowRowCheck } from '../../../../lambdas/domain/campaign/workflow-columns';
import { parseWorkflow, type Workflow } from '../../../../lambdas/domain/workflow/definition';

function workflowOf(input: unknown): Workflow {
  const parsed = parseWorkflow(input);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.workflow;
}

/** A greeting with the customer's name, then the order number and date, both prefillable. */
const WORKFLOW = workflowOf({
  id: 'order-follow-up',
  greeting: 'Hi {{first_name}}!',
  routes: [
    {
      id: 'track',
      match: { keywords: ['order'] },
      mandatoryVariables: [
        { name: 'order_number', type: 'pattern', pattern: '\\b\\d{6}\\b', prompt: 'Your order number?' },
        { name: 'order_date', type: 'date', prompt: 'When did you order?' },
      ],
      onComplete: { reply: 'Checking order {{order_number}} from {{order_date}}.' },
    },
  ],
  fallback: { reply: 'Sorry?' },
  failureMessage: 'Oops.',
});

const NOW = new Date('2026-06-10T12:00:00Z');

function rules(overrides: Partial<RecipientFileRules> = {}): RecipientFileRules {
  const columns = workflowColumns(WORKFLOW);
  return {
    defaultCountry: 'US',
    allowedVariables: columns.allowedVariables,
    startRequirement: columns.startRequirement,
    checkVariables: workflowRowCheck(WORKFLOW, undefined, NOW),
    ...overrides,
  };
}

async function* chunksOf(...chunks: (string | Uint8Array)[]): AsyncGenerator<string | Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

async function read(
  source: string | Uint8Array | (string | Uint8Array)[],
  options?: Partial<RecipientFileRules>,
): Promise<RecipientRow[]> {
  const rows: RecipientRow[] = [];
  const chunks = Array.isArray(source) ? source : [source];
  for await (const row of readRecipients(chunksOf(...chunks), rules(options))) rows.push(row);
  return rows;
}

async function refusal(
  source: string | Uint8Array | (string | Uint8Array)[],
  options?: Partial<RecipientFileRules>,
): Promise<{ code: RecipientFileErrorCode; message: string; rowsBefore: number }> {
  const chunks = Array.isArray(source) ? source : [source];
  let rowsBefore = 0;
  try {
    for await (const _row of readRecipients(chunksOf(...chunks), rules(options))) rowsBefore += 1;
  } catch (error) {
    if (error instanceof RecipientFileError) return { code: error.code, message: error.message, rowsBefore };
    throw error;
  }
  throw new Error('the file was not refused');
}

const summary = (rows: RecipientRow[]) =>
  rows.map((row) => (row.kind === 'recipient' ? `${row.line} ${row.phone}` : `${row.line} ${row.problem}`));

describe('recipientFormatFromFileName', () => {
  it.each([
    ['customers.csv', 'csv'],
    ['CUSTOMERS.CSV', 'csv'],
    ['customers.jsonl', 'jsonl'],
    ['customers.ndjson', 'jsonl'],
    ['customers.json', undefined],
    ['customers.txt', undefined],
    ['customers', undefined],
  ])('%s -> %s', (name, format) => {
    expect(recipientFormatFromFileName(name)).toBe(format);
  });
});

describe('readRecipients: CSV', () => {
  it('reads recipients with their variables, time zone and country', async () => {
    const rows = await read(
      'phone,first_name,order_number,timezone\n' +
        '+14155550123,Ada,123456,America/Los_Angeles\n' +
        '(415) 555-0124, Grace ,,\n' +
        '+33 6 12 34 56 78,Marie,,Europe/Paris\n',
    );
    expect(rows).toEqual([
      {
        kind: 'recipient',
        line: 2,
        phone: '+14155550123',
        variables: { first_name: 'Ada', order_number: '123456' },
        timezone: 'America/Los_Angeles',
        country: 'US',
      },
      {
        kind: 'recipient',
        line: 3,
        phone: '+14155550124',
        variables: { first_name: 'Grace' },
        country: 'US',
      },
      {
        kind: 'recipient',
        line: 4,
        phone: '+33612345678',
        variables: { first_name: 'Marie' },
        timezone: 'Europe/Paris',
        country: 'FR',
      },
    ]);
  });

  it('reports each bad row by its line and goes on', async () => {
    const rows = await read(
      [
        'phone,first_name,order_number,timezone',
        '+14155550123,Ada,,', // 2 ok
        'not a phone,Bob,,', // 3
        '+1415555,Bob,,', // 4 too short
        '+14155550125,Cy,,Mars/Olympus', // 5
        `+14155550126,${'x'.repeat(RECIPIENT_LIMITS.valueChars + 1)},,`, // 6
        '+14155550127,,,', // 7 the greeting needs first_name
        '+14155550128,Dee,12,', // 8 the order number is not 6 digits
        '+1 (415) 555-0123,Ada again,,', // 9 duplicate of line 2
        '+14155550129,Eve,,,surplus', // 10
        ',,,', // blank row: skipped silently
        '', // blank line
        '+14155550130,Fay,,', // 13 ok
      ].join('\n'),
    );
    expect(summary(rows)).toEqual([
      '2 +14155550123',
      '3 invalid-phone',
      '4 invalid-phone',
      '5 invalid-timezone',
      '6 value-too-long',
      '7 missing-variable',
      '8 invalid-variable',
      '9 duplicate',
      '10 invalid-row',
      '13 +14155550130',
    ]);
    const reasons = Object.fromEntries(
      rows.map((row) => [row.line, row.kind === 'problem' ? row.reason : '']),
    );
    expect(reasons[3]).toMatch(/not a phone number/);
    expect(reasons[4]).toMatch(/not a valid phone number for US.*\*\*\*5555$/);
    expect(reasons[5]).toMatch(/unknown time zone "Mars\/Olympus"/);
    expect(reasons[6]).toBe('first_name is over 500 characters');
    expect(reasons[7]).toBe('first_name empty: the first message needs it');
    expect(reasons[8]).toMatch(/^variable order_number: /);
    expect(reasons[9]).toBe('same number as line 2');
    expect(reasons[10]).toBe('5 values where the header names 4');
    // Reasons never carry a whole phone number.
    for (const reason of Object.values(reasons)) expect(reason).not.toMatch(/\d{7,}/);
  });

  it('counts lines as an editor does: CRLF, quoted line breaks, blank lines, a BOM, no final newline', async () => {
    const rows = await read(
      '\uFEFFphone,first_name\r\n\r\n+14155550123,"Ada\r\nLovelace"\r\n+14155550124,"Grace, ""Amazing"" Hopper"\r\n\r\n+14155550125,Cy',
    );
    expect(rows).toEqual([
      {
        kind: 'recipient',
        line: 3,
        phone: '+14155550123',
        variables: { first_name: 'Ada\nLovelace' },
        country: 'US',
      },
      {
        kind: 'recipient',
        line: 5,
        phone: '+14155550124',
        variables: { first_name: 'Grace, "Amazing" Hopper' },
        country: 'US',
      },
      { kind: 'recipient', line: 7, phone: '+14155550125', variables: { first_name: 'Cy' }, country: 'US' },
    ]);
  });

  it('takes the header’s delimiter (semicolons from European spreadsheets, tabs) and the reserved names in any case', async () => {
    expect(summary(await read('Phone;first_name;TimeZone\n+14155550123;Ada;UTC\n'))).toEqual([
      '2 +14155550123',
    ]);
    const tabs = await read('phone\tfirst_name\n+14155550123\tAda, Countess\n');
    expect(tabs).toMatchObject([{ kind: 'recipient', variables: { first_name: 'Ada, Countess' } }]);
  });

  it('reads national numbers in the tenant’s country and international ones in E.164', async () => {
    const rows = await read('phone,first_name\n030 123456,Anna\n0049 30 1234567,Ben\n+1 415 555 0123,Cy\n', {
      defaultCountry: 'DE',
    });
    expect(rows.map((row) => (row.kind === 'recipient' ? row.phone : row.reason))).toEqual([
      '+4930123456',
      '+49301234567',
      '+14155550123',
    ]);
  });

  it('keeps a quote inside an unquoted value as written', async () => {
    const rows = await read('phone,first_name\n+14155550123,Ada "the first"\n');
    expect(rows).toMatchObject([{ variables: { first_name: 'Ada "the first"' } }]);
  });
});

describe('readRecipients: JSON lines', () => {
  it('reads one object per line, numbers as text, null as empty', async () => {
    const rows = await read(
      '{"phone":"+14155550123","first_name":"Ada","order_number":123456}\n' +
        '\n' +
        '{"phone":4155550124,"first_name":"Grace","order_number":null,"timezone":"Asia/Tokyo"}\n' +
        '{"phone":"+14155550125"}\n' +
        'not json\n' +
        '["+14155550126"]\n' +
        '{"phone":"+14155550127","first_name":{"nested":true}}\n',
    );
    expect(rows).toEqual([
      {
        kind: 'recipient',
        line: 1,
        phone: '+14155550123',
        variables: { first_name: 'Ada', order_number: '123456' },
        country: 'US',
      },
      {
        kind: 'recipient',
        line: 3,
        phone: '+14155550124',
        variables: { first_name: 'Grace' },
        timezone: 'Asia/Tokyo',
        country: 'US',
      },
      {
        kind: 'problem',
        line: 4,
        problem: 'missing-variable',
        reason: 'first_name empty: the first message needs it',
      },
      { kind: 'problem', line: 5, problem: 'invalid-row', reason: 'not a JSON object' },
      { kind: 'problem', line: 6, problem: 'invalid-row', reason: 'not a JSON object' },
      { kind: 'problem', line: 7, problem: 'invalid-row', reason: 'first_name must be a string' },
    ]);
  });

  it('refuses the file at a line with a field that is not a variable', async () => {
    const refused = await refusal(
      '{"phone":"+14155550123","first_name":"Ada"}\n{"phone":"+14155550124","first_name":"Bo","coupon":"X"}\n',
    );
    expect(refused).toMatchObject({ code: 'unknown-columns', rowsBefore: 1 });
    expect(refused.message).toMatch(/^line 2: column coupon is not a variable of the campaign/);
  });

  it('reports a line over the limit and goes on', async () => {
    const long = `{"phone":"+14155550124","first_name":"${'x'.repeat(RECIPIENT_LIMITS.rowChars)}"}`;
    const rows = await read([
      '{"phone":"+14155550123","first_name":"Ada"}\n',
      long,
      '\n{"phone":"+14155550125","first_name":"Cy"}',
    ]);
    expect(summary(rows)).toEqual(['1 +14155550123', '2 invalid-row', '3 +14155550125']);
  });
});

describe('readRecipients: whole-file errors, before any row', () => {
  it.each([
    [
      'binary data',
      new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]),
      'not-csv-or-json-lines',
      /binary data/,
    ],
    [
      'not UTF-8',
      new Uint8Array([0x70, 0x68, 0x6f, 0x6e, 0x65, 0x0a, 0xe9, 0x0a]),
      'not-csv-or-json-lines',
      /not UTF-8/,
    ],
    ['UTF-16', new Uint8Array([0xff, 0xfe, 0x70, 0x00, 0x68, 0x00]), 'not-csv-or-json-lines', /not UTF-8/],
    ['a JSON array', '[{"phone":"+14155550123"}]', 'not-csv-or-json-lines', /JSON array is not JSON lines/],
    [
      'an unclosed quote',
      'phone,first_name\n+14155550123,"Ada\n',
      'not-csv-or-json-lines',
      /Quote Not Closed/,
    ],
    ['a bad first JSON line', '{"phone": }\n', 'not-csv-or-json-lines', /line 1: not a JSON object/],
    ['no header', '+14155550123,Ada\n', 'no-phone-column', /the first line must name the columns/],
    [
      'no phone column',
      'mobile,first_name\n+14155550123,Ada\n',
      'no-phone-column',
      /no phone column \(columns: mobile, first_name\)/,
    ],
    ['no phone field', '{"mobile":"+14155550123"}\n', 'no-phone-column', /line 1: no phone column/],
    [
      'unknown columns',
      'phone,first_name,coupon,Order_Number\n',
      'unknown-columns',
      /columns coupon, Order_Number are not variables of the campaign \(variables: first_name, order_date, order_number; phone and timezone/,
    ],
    [
      'a column twice',
      'phone,first_name,First_Name,PHONE\n',
      'invalid-columns',
      /column "PHONE" appears twice/,
    ],
    ['a column without a name', 'phone,,first_name\n', 'invalid-columns', /column 2 has no name/],
    [
      'columns the start cannot do with',
      'phone,order_number\n+14155550123,123456\n',
      'workflow-cannot-start',
      /the first message needs variable\(s\) first_name/,
    ],
    ['an empty file', '', 'no-recipients', /empty/],
    ['blank lines only', '\n \n\r\n', 'no-recipients', /empty/],
    ['a header only', 'phone,first_name\n', 'no-recipients', /header but no recipients/],
  ] as const)('%s', async (_name, source, code, message) => {
    const refused = await refusal(source);
    expect(refused.code).toBe(code);
    expect(refused.message).toMatch(message);
    expect(refused.rowsBefore).toBe(0);
  });

  it('refuses a format the content contradicts', async () => {
    expect((await refusal('phone\n+14155550123\n', { format: 'jsonl' })).message).toMatch(
      /JSON lines expected/,
    );
    expect((await refusal('{"phone":"+14155550123"}\n', { format: 'csv' })).message).toMatch(/CSV expected/);
    const asCsv = await read('phone,first_name\n+14155550123,Ada\n', { format: 'csv' });
    expect(asCsv).toHaveLength(1);
  });

  it('refuses a header line longer than a row may be', async () => {
    const refused = await refusal(['phone,', 'a'.repeat(RECIPIENT_LIMITS.rowChars), 'b'.repeat(100)]);
    expect(refused.message).toMatch(/no line ends within its first 65536 characters/);
    const blank = await refusal('\n'.repeat(RECIPIENT_LIMITS.rowChars + 1));
    expect(blank.code).toBe('not-csv-or-json-lines');
  });

  it('refuses rules that are the caller’s bug', async () => {
    await expect(read('phone\n+14155550123\n', { defaultCountry: 'XX' })).rejects.toThrow(RangeError);
  });
});

describe('readRecipients: duplicates', () => {
  it('reports a number seen within the window, and leaves older ones to the store', async () => {
    const file =
      'phone,first_name\n+14155550001,A\n+14155550002,B\n+14155550003,C\n+14155550001,A\n+14155550003,C\n';
    expect(summary(await read(file))).toEqual([
      '2 +14155550001',
      '3 +14155550002',
      '4 +14155550003',
      '5 duplicate',
      '6 duplicate',
    ]);
    // With room for two numbers, +14155550001 was forgotten by line 5; +14155550003 was not.
    expect(summary(await read(file, { duplicateWindow: 2 }))).toEqual([
      '2 +14155550001',
      '3 +14155550002',
      '4 +14155550003',
      '5 +14155550001',
      '6 duplicate',
    ]);
  });

  it('does not let an invalid row claim a number', async () => {
    const rows = await read('phone,first_name,timezone\n+14155550001,A,Nowhere\n+14155550001,A,\n');
    expect(summary(rows)).toEqual(['2 invalid-timezone', '3 +14155550001']);
  });
});

describe('readRecipients: streaming', () => {
  const encoder = new TextEncoder();

  it('gives the same rows however the bytes are cut into chunks (inside characters, between CR and LF)', async () => {
    const csv =
      'phone,first_name,timezone\r\n+14155550123,"Zoë\r\nÅsa 🌍",Europe/Oslo\r\n+14155550124,Ørjan,\r\nbad,x,\r\n+14155550125,"a ""b""",';
    const jsonl =
      '{"phone":"+14155550123","first_name":"Zoë 🌍"}\r\n{"phone":"+14155550124","first_name":"Ørjan"}\r\nnope\r\n';
    for (const text of [csv, jsonl]) {
      const bytes = encoder.encode(text);
      const whole = await read(bytes);
      expect(whole.length).toBeGreaterThan(2);
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }),
          async (cuts) => {
            const bounds = [0, ...[...cuts].sort((a, b) => a - b), bytes.length];
            const chunks = bounds.slice(1).map((end, index) => bytes.slice(bounds[index], end));
            expect(await read(chunks)).toEqual(whole);
          },
        ),
        { numRuns: 150 },
      );
    }
  });

  it('yields the first rows before it has read the whole file', async () => {
    let chunksRead = 0;
    async function* endless(): AsyncGenerator<string> {
      yield 'phone,first_name\n';
      for (let index = 0; ; index += 1) {
        chunksRead += 1;
        yield `+1415555${String(index % 10_000).padStart(4, '0')},Name ${index}\n`;
      }
    }
    const rows: RecipientRow[] = [];
    for await (const row of readRecipients(endless(), rules())) {
      rows.push(row);
      if (rows.length === 3) break;
    }
    expect(summary(rows)).toEqual(['2 +14155550000', '3 +14155550001', '4 +14155550002']);
    expect(chunksRead).toBeLessThan(1_000);
  });

  it('passes a failing source’s own error on (a retry can read the file again), in either format', async () => {
    for (const first of [
      'phone,first_name\n+14155550123,Ada\n',
      '{"phone":"+14155550123","first_name":"Ada"}\n',
    ]) {
      const broken = new Error('connection reset');
      async function* failing(): AsyncGenerator<string> {
        yield first;
        throw broken;
      }
      const rows: RecipientRow[] = [];
      await expect(
        (async () => {
          for await (const row of readRecipients(failing(), rules())) rows.push(row);
        })(),
      ).rejects.toBe(broken);
      expect(rows.length).toBeLessThanOrEqual(1);
    }
  });

  it('reads 100,000 rows in bounded memory', async () => {
    const total = 100_000;
    async function* generated(): AsyncGenerator<Uint8Array> {
      yield encoder.encode('phone,first_name\n');
      for (let start = 0; start < total; start += 1_000) {
        let chunk = '';
        for (let index = start; index < start + 1_000; index += 1)
          chunk += `+1415${200 + Math.floor(index / 10_000)}${String(index % 10_000).padStart(4, '0')},Customer ${index}\n`;
        yield encoder.encode(chunk);
      }
    }
    const heapBefore = process.memoryUsage().heapUsed;
    let recipients = 0;
    let maxHeapGrowth = 0;
    for await (const row of readRecipients(generated(), { ...rules(), checkVariables: undefined })) {
      if (row.kind === 'recipient') recipients += 1;
      if (recipients % 10_000 === 0)
        maxHeapGrowth = Math.max(maxHeapGrowth, process.memoryUsage().heapUsed - heapBefore);
    }
    expect(recipients).toBe(total);
    // The duplicate window (10,000 numbers) and garbage not yet collected; the file itself is ~3 MB
    // and its rows as objects would be far more.
    expect(maxHeapGrowth).toBeLessThan(64 * 1024 * 1024);
  });
});
