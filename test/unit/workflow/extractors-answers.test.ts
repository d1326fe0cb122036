import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countSegments } from '../../../lambdas/domain/segments';
import type { WorkflowVariable } from '../../../lambdas/domain/workflow/definition';
import {
  defaultReasons,
  extractTime,
  extractVariable,
  extractYesNo,
} from '../../../lambdas/domain/workflow/extractors';

const now = new Date('2026-12-03T17:00:00Z');
const number: WorkflowVariable = { name: 'party_size', type: 'number', prompt: 'p' };
const phone: WorkflowVariable = { name: 'phone', type: 'phone', prompt: 'p' };
const email: WorkflowVariable = { name: 'email', type: 'email', prompt: 'p' };
const text: WorkflowVariable = { name: 'issue_description', type: 'text', prompt: 'p' };
const service: WorkflowVariable = {
  name: 'service',
  type: 'choice',
  options: ['Cleaning', 'Checkup', 'Whitening'],
  prompt: 'p',
};

function value(variable: WorkflowVariable, said: string, options: { defaultCountry?: string } = {}) {
  const result = extractVariable(variable, said, now, options);
  return result.found ? result.value : undefined;
}

describe('times as customers text them', () => {
  it.each([
    ['9 in the morning', '09:00'],
    ['half 3', '15:30'],
    ['half ten', '10:30'],
    ['7 in the evening', '19:00'],
    ['9 at night', '21:00'],
    ['12 at night', '00:00'],
    ['2 in the afternoon', '14:00'],
    ['3 this afternoon', '15:00'],
    ['10 tonight', '22:00'],
    ['9am-ish', '09:00'],
    ['around 3', '15:00'],
    ['3ish', '15:00'],
    ['3:30ish', '15:30'],
    ['noonish', '12:00'],
    ['1030am', '10:30'],
    ['7p', '19:00'],
    ['at 9.30', '09:30'],
    ['how about 11', '11:00'],
    ['4', '16:00'],
    ['5 oclock', '17:00'],
  ])('"%s" is %s', (said, expected) => {
    expect(extractTime(said)).toMatchObject({ found: true, value: expected });
  });

  it('reads a bare or approximate hour only when the time is being asked (it may be a count)', () => {
    const time: WorkflowVariable = { name: 't', type: 'time', prompt: 'p' };
    for (const said of ['4', 'about 3', '3ish', 'around 3']) {
      expect(extractVariable(time, said, now).found, said).toBe(true);
      expect(extractVariable(time, said, now, { asked: false }).found, said).toBe(false);
    }
    for (const said of ['at 4', '4pm', "4 o'clock", '9 in the morning']) {
      expect(extractVariable(time, said, now, { asked: false }).found, said).toBe(true);
    }
  });

  it.each([
    'first thing',
    'first thing in the morning',
    'in the afternoon',
    'morning',
    'whenever',
    'the 3rd',
    '3 kids',
    '$9.30 fee',
  ])('"%s" is not a time', (said) => {
    expect(extractTime(said).found).toBe(false);
  });
});

/** 0..999 in words, hyphenated or not, with or without "and". */
function inWords(n: number, hyphen: boolean, and: boolean): string {
  const units = [
    'zero',
    'one',
    'two',
    'three',
    'four',
    'five',
    'six',
    'seven',
    'eight',
    'nine',
    'ten',
    'eleven',
    'twelve',
    'thirteen',
    'fourteen',
    'fifteen',
    'sixteen',
    'seventeen',
    'eighteen',
    'nineteen',
  ];
  const tens = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
  const belowHundred = (m: number) =>
    m < 20 ? units[m] : `${tens[Math.floor(m / 10)]}${m % 10 ? `${hyphen ? '-' : ' '}${units[m % 10]}` : ''}`;
  if (n < 100) return belowHundred(n) as string;
  const rest = n % 100;
  return `${units[Math.floor(n / 100)]} hundred${rest ? `${and ? ' and' : ''} ${belowHundred(rest)}` : ''}`;
}

describe('numbers in words and phrases', () => {
  it.each([
    ['two', '2'],
    ['table for six', '6'],
    ['twenty-five', '25'],
    ['a dozen', '12'],
    ['half a dozen', '6'],
    ['a couple', '2'],
    ['a couple hundred', '200'],
    ['one hundred and five', '105'],
    ['a hundred bucks', '100'],
    ['three hundred thousand', '300000'],
    ['3 ppl', '3'],
    ['2 adults', '2'],
    ['2k', '2000'],
    ['1.5k', '1500'],
    ['5 hundred', '500'],
    ['just the two of us', '2'],
  ])('"%s" is %s', (said, expected) => {
    expect(value(number, said)).toBe(expected);
  });

  it('says which words it took, for the engine to mask', () => {
    expect(extractVariable(number, 'a table for twenty-five please', now)).toMatchObject({
      value: '25',
      matched: 'twenty-five',
    });
    expect(extractVariable(number, 'one hundred and five', now)).toMatchObject({
      matched: 'one hundred and five',
    });
    expect(extractVariable(number, 'umm a dozen', now)).toMatchObject({ matched: 'a dozen' });
  });

  it.each(['idk yet', 'lots', 'a few', 'one sec', 'no one', 'what?'])('"%s" is not a number', (said) => {
    expect(value(number, said)).toBeUndefined();
  });

  it('reads every number from 0 to 999 written in words (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 999 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(['', ''], ['umm ', ''], ['table for ', ' pls'], ['', ' people']),
        (n, hyphen, and, [before, after]) => {
          expect(value(number, `${before}${inWords(n, hyphen, and)}${after}`)).toBe(String(n));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('yes/no as customers text it', () => {
  it.each([
    'yh',
    'ye',
    'yess',
    'yesss',
    'yessir',
    'k',
    'kk',
    'okie',
    'okey',
    'bet',
    'for sure',
    'sure thing',
    'of course',
    'ofc',
    'definitely',
    'def',
    'alright',
    'sounds good',
    'perfect',
    'great',
    'Yeahhh',
    'YES!!',
    'sure why not',
    '👍',
    '✅',
    '👌',
    '🙆',
    '☑️',
    '💯',
    '🙆‍♀️',
    'ok 👍',
  ])('"%s" is yes', (said) => {
    expect(extractYesNo(said)).toEqual({ found: true, value: 'yes' });
  });

  it.each([
    'nope',
    'nah',
    'no thanks',
    'no thx',
    'nvm',
    'not really',
    'no way',
    'NOOO',
    'naw',
    'of course not',
    'absolutely not',
    "i don't think so",
    'cant make it',
    '👎',
    '❌',
    '🚫',
    '🙅',
    '🙅🏽‍♂️',
    '👎🏿',
  ])('"%s" is no', (said) => {
    expect(extractYesNo(said)).toEqual({ found: true, value: 'no' });
  });

  it.each(['yes no', '👍👎', 'ok no', 'maybe', 'idk', 'hmm let me think', 'no problem', 'what?'])(
    '"%s" is asked again',
    (said) => {
      expect(extractYesNo(said).found).toBe(false);
    },
  );

  it('reads a thumbs up or down whatever its skin tone and variation selector (property)', () => {
    const tones = ['', '\u{1F3FB}', '\u{1F3FC}', '\u{1F3FD}', '\u{1F3FE}', '\u{1F3FF}'];
    fc.assert(
      fc.property(
        fc.constantFrom(['\u{1F44D}', 'yes'], ['\u{1F44E}', 'no'], ['\u{1F646}', 'yes'], ['\u{1F645}', 'no']),
        fc.constantFrom(...tones),
        fc.constantFrom('', '\uFE0F', '\u200D\u2640\uFE0F', '\u200D\u2642\uFE0F'),
        fc.constantFrom('', ' ', '!'),
        ([emoji, meaning], tone, suffix, after) => {
          expect(extractYesNo(`${emoji}${tone}${suffix}${after}`)).toEqual({ found: true, value: meaning });
        },
      ),
    );
  });
});

describe('choices named by an abbreviation or an initial', () => {
  const department: WorkflowVariable = {
    name: 'department',
    type: 'choice',
    options: ['Billing', 'Technical support', 'Sales'],
    prompt: 'p',
  };
  const size: WorkflowVariable = {
    name: 'size',
    type: 'choice',
    options: ['Small', 'Medium', 'Large'],
    prompt: 'p',
  };

  it('reads the first letters of an option word ("tech"), never fewer than four', () => {
    expect(value(department, 'tech')).toBe('Technical support');
    expect(value(department, 'bill pls')).toBe('Billing');
    expect(value(department, 'te')).toBeUndefined();
  });

  it('reads a lone initial only when one option starts with it', () => {
    expect(value(size, 'L')).toBe('Large');
    expect(value(size, 's!')).toBe('Small');
    const sameInitial: WorkflowVariable = {
      ...size,
      options: ['Small', 'Standard', 'Large'],
    } as WorkflowVariable;
    expect(value(sameInitial, 'S')).toBeUndefined();
  });
});

describe('choices named as customers text them', () => {
  it.each([
    ['check-up', 'Checkup'],
    ['check up', 'Checkup'],
    ['CHECKUP', 'Checkup'],
    ['I want my teeth whitened', 'Whitening'],
    ['whitens', 'Whitening'],
    ['cleanings', 'Cleaning'],
    ['whitning', 'Whitening'],
    ['claening', 'Cleaning'],
    ['2', 'Checkup'],
    ['option 2', 'Checkup'],
    ['#3', 'Whitening'],
    ['the second one', 'Checkup'],
    ['second', 'Checkup'],
    ['3rd one', 'Whitening'],
    ['the last one', 'Whitening'],
  ])('"%s" is %s', (said, expected) => {
    expect(value(service, said)).toBe(expected);
  });

  it.each(['cleaning and whitening', 'checkup or cleaning', '4', 'option 5', 'a filling', 'idk'])(
    'picks nothing from "%s"',
    (said) => {
      expect(value(service, said)).toBeUndefined();
    },
  );

  it('reads multi-word options from a distinctive word, and the fuller option when one contains another', () => {
    const department: WorkflowVariable = {
      name: 'd',
      type: 'choice',
      options: ['Billing', 'Technical support', 'Sales'],
      prompt: 'p',
    };
    expect(value(department, 'tech support')).toBe('Technical support');
    expect(value(department, 'technical suport')).toBe('Technical support');
    expect(value(department, 'billing or sales')).toBeUndefined();
    const cleaning: WorkflowVariable = {
      name: 'c',
      type: 'choice',
      options: ['Cleaning', 'Deep cleaning'],
      prompt: 'p',
    };
    expect(value(cleaning, 'a deep cleaning')).toBe('Deep cleaning');
    expect(value(cleaning, 'just a cleaning')).toBe('Cleaning');
  });

  it('reads any option back whatever its case, hyphens and spacing (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('Cleaning', 'Checkup', 'Whitening'),
        fc.constantFrom(
          (s: string) => s,
          (s: string) => s.toUpperCase(),
          (s: string) => s.toLowerCase(),
        ),
        fc.constantFrom(['', ''], ['a ', ' please'], ['i want ', '!']),
        (option, casing, [before, after]) => {
          expect(value(service, `${before}${casing(option)}${after}`)).toBe(option);
        },
      ),
    );
  });
});

describe('phone numbers of any country (libphonenumber-js)', () => {
  it.each([
    ['(415) 555-0123', 'US', '+14155550123'],
    ['415.555.0123', 'US', '+14155550123'],
    ['+44 7700 900123', 'US', '+447700900123'],
    ['07700 900123', 'GB', '+447700900123'],
    ['020 7183 8750', 'GB', '+442071838750'],
    ['0044 20 7183 8750', 'US', '+442071838750'],
    ['06 12 34 56 78', 'FR', '+33612345678'],
    ['0151 23456789', 'DE', '+4915123456789'],
    ['0412 345 678', 'AU', '+61412345678'],
    ['+91 98765 43210', 'US', '+919876543210'],
    ['call me at 4155550123 thx', 'US', '+14155550123'],
  ])('"%s" (default %s) is %s', (said, defaultCountry, expected) => {
    expect(value(phone, said, { defaultCountry })).toBe(expected);
  });

  it('reads a number without a country code in the US when no default country is given', () => {
    expect(value(phone, '(415) 555-0123')).toBe('+14155550123');
    expect(value(phone, '(415) 555-0123', { defaultCountry: 'XX' })).toBe('+14155550123');
  });

  it.each([
    '12/10/2024',
    '12.10.2024',
    '2026-12-10',
    'order 123456',
    '123456',
    '555-0123',
    '12345678901234567',
    'Dec 10 2026',
    '11/25/26',
  ])('"%s" is not a phone number, in the US or in Germany', (said) => {
    expect(value(phone, said)).toBeUndefined();
    expect(value(phone, said, { defaultCountry: 'DE' })).toBeUndefined();
  });

  it('a US number has an area code and an exchange that do not start with 0 or 1', () => {
    expect(value(phone, '1234567890')).toBeUndefined();
    expect(value(phone, '999 999 9999')).toBe('+19999999999'); // a possible number, new area codes included
  });
});

describe('emails and free text', () => {
  it.each([
    ['bob at gmail dot com', 'bob@gmail.com'],
    ['bob(at)gmail.com', 'bob@gmail.com'],
    ['bob @ gmail.com', 'bob@gmail.com'],
    ['sam dot jones at gmail dot com', 'sam.jones@gmail.com'],
    ['info [at] shop [dot] com', 'info@shop.com'],
    ['mailto:ana@proton.me', 'ana@proton.me'],
  ])('"%s" is %s', (said, expected) => {
    expect(value(email, said)).toBe(expected);
  });

  it.each(['john at home', 'bob@gmail', 'bob.smith at gmail', 'i dont have one'])(
    '"%s" is not an email',
    (said) => {
      expect(value(email, said)).toBeUndefined();
    },
  );

  it.each(['idk', 'what?', '?', '...', 'dunno', '   '])(
    'free text refuses the non-answer "%s", naming what was asked',
    (said) => {
      expect(extractVariable(text, said, now)).toEqual({
        found: false,
        reason: 'Please reply with your issue description.',
      });
    },
  );

  it('free text keeps any real answer whole', () => {
    expect(value(text, '  I dont know what happened, it just broke  ')).toBe(
      'I dont know what happened, it just broke',
    );
  });
});

describe('reasons', () => {
  const variables: WorkflowVariable[] = [
    text,
    number,
    phone,
    email,
    service,
    { name: 'order_number', type: 'pattern', pattern: '\\b\\d{6}\\b', prompt: 'p' },
    { name: 'd', type: 'date', direction: 'future', min: -365, max: 365, prompt: 'p' },
    { name: 'd', type: 'date', direction: 'past', min: -3650, max: -1, prompt: 'p' },
    { name: 't', type: 'time', prompt: 'p' },
    { name: 'y', type: 'yesno', prompt: 'p' },
  ];

  it('fit one GSM-7 segment together with a 70-character prompt', () => {
    const prompt = 'x'.repeat(70);
    for (const variable of variables) {
      for (const reason of defaultReasons(variable)) {
        expect(countSegments(`${reason} ${prompt}`), reason).toMatchObject({
          encoding: 'GSM-7',
          segments: 1,
        });
      }
    }
  });

  it('name what was asked', () => {
    const named: Record<string, RegExp> = {
      text: /issue description/,
      number: /number/,
      phone: /phone number/,
      email: /email/,
      choice: /Cleaning, Checkup, Whitening/,
      pattern: /order number/,
      date: /date|day/,
      time: /time/,
      yesno: /YES or NO/,
    };
    for (const variable of variables) {
      for (const reason of defaultReasons(variable)) expect(reason).toMatch(named[variable.type] as RegExp);
    }
  });
});
