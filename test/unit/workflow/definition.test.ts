import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseWorkflow, WORKFLOW_LIMITS } from '../../../lambdas/domain/workflow/definition';
import { extractVariable } from '../../../lambdas/domain/workflow/extractors';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A valid workflow using every field, for each test to break in one place. */
function base(): Json {
  return {
    id: 'shop',
    greeting: 'Hi!',
    routes: [
      {
        id: 'order',
        match: { keywords: ['order'], patterns: ['(?i)\\border\\b'] },
        mandatoryVariables: [
          { name: 'order_number', type: 'pattern', pattern: '\\b\\d{6}\\b', prompt: 'Order number?' },
          { name: 'day', type: 'date', direction: 'future', min: 0, max: 60, prompt: 'Which day?' },
          { name: 'at', type: 'time', prompt: 'What time?', invalidMessage: 'Like 3pm.' },
          { name: 'size', type: 'choice', options: ['Small', 'Large'], prompt: 'Size?' },
          {
            name: 'ok',
            type: 'yesno',
            prompt: 'Sure?',
            onNo: { reply: 'Again then.', clear: ['day', 'at'] },
          },
        ],
        onComplete: { reply: 'Done.', webhook: { url: 'https://example.com/hook' } },
      },
      { id: 'other', onComplete: { reply: 'Bye.' } },
    ],
    fallback: { reply: 'Sorry?', maxAttempts: 3 },
    failureMessage: 'Oops.',
    help: 'Text ORDER.',
    expiresAfterHours: 24,
    timeZone: 'Europe/London',
    locale: 'en-GB',
    defaultCountry: 'GB',
  };
}

function errorsOf(change: (workflow: Json) => void): string[] {
  const workflow = base();
  change(workflow);
  const parsed = parseWorkflow(workflow);
  return parsed.ok ? [] : parsed.errors;
}

const route = (workflow: Json) => workflow.routes[0] as Json;
const variable = (workflow: Json, index: number) => route(workflow).mandatoryVariables[index] as Json;
const long = (length: number) => 'x'.repeat(length);

describe('parseWorkflow: what exists keeps working', () => {
  it.each(readdirSync('examples/workflows').filter((file) => file.endsWith('.json')))('%s parses', (file) => {
    const parsed = parseWorkflow(JSON.parse(readFileSync(`examples/workflows/${file}`, 'utf8')));
    expect(parsed.ok ? [] : parsed.errors).toEqual([]);
  });

  it('accepts every field at once, and applies the defaults', () => {
    expect(errorsOf(() => undefined)).toEqual([]);
    const parsed = parseWorkflow({
      id: 'w',
      routes: [{ id: 'r', onComplete: { reply: 'ok' } }],
      fallback: { reply: 'f' },
      failureMessage: 'x',
    });
    expect(parsed.ok && parsed.workflow).toMatchObject({
      routes: [{ match: { keywords: [] }, mandatoryVariables: [] }],
      fallback: { maxAttempts: 3 },
      expiresAfterHours: 24,
    });
  });
});

describe('parseWorkflow refuses unknown fields, naming their path', () => {
  it.each<[string, (workflow: Json) => void, string]>([
    ['top level', (w) => (w.helpp = 'x'), 'helpp: unrecognized key (did you mean help?)'],
    [
      'fallback',
      (w) => (w.fallback.maxAttempt = 2),
      'fallback.maxAttempt: unrecognized key (did you mean maxAttempts?)',
    ],
    [
      'route',
      (w) => (route(w).onCompleted = {}),
      'routes.0.onCompleted: unrecognized key (did you mean onComplete?)',
    ],
    [
      'match',
      (w) => (route(w).match.keyword = ['x']),
      'routes.0.match.keyword: unrecognized key (did you mean keywords?)',
    ],
    [
      'variable',
      (w) => (variable(w, 0).patern = 'x'),
      'routes.0.mandatoryVariables.0.patern: unrecognized key (did you mean pattern?)',
    ],
    [
      'a field of another variable type',
      (w) => (variable(w, 0).options = ['a', 'b']),
      'routes.0.mandatoryVariables.0.options: unrecognized key (not a field of pattern variables)',
    ],
    [
      'onNo',
      (w) => (variable(w, 4).onNo.clr = []),
      'routes.0.mandatoryVariables.4.onNo.clr: unrecognized key (did you mean clear?)',
    ],
    [
      'onComplete',
      (w) => (route(w).onComplete.replyy = 'x'),
      'routes.0.onComplete.replyy: unrecognized key (did you mean reply?)',
    ],
    [
      'webhook',
      (w) => (route(w).onComplete.webhook.secret = 'k'),
      'routes.0.onComplete.webhook.secret: unrecognized key',
    ],
    ['with no near name', (w) => (w.colour = 'red'), 'colour: unrecognized key'],
  ])('in %s', (_where, change, error) => {
    expect(errorsOf(change)).toEqual([error]);
  });
});

describe('parseWorkflow bounds every number, text and list', () => {
  it.each<[string, (workflow: Json) => void, string]>([
    [
      'expiresAfterHours 1e10',
      (w) => (w.expiresAfterHours = 1e10),
      'expiresAfterHours: at most 720 hours (30 days)',
    ],
    [
      'expiresAfterHours 721',
      (w) => (w.expiresAfterHours = 721),
      'expiresAfterHours: at most 720 hours (30 days)',
    ],
    ['expiresAfterHours 0.5', (w) => (w.expiresAfterHours = 0.5), 'expiresAfterHours: at least 1 hour'],
    ['maxAttempts 0', (w) => (w.fallback.maxAttempts = 0), 'fallback.maxAttempts: Too small'],
    ['maxAttempts 11', (w) => (w.fallback.maxAttempts = 11), 'fallback.maxAttempts: Too big'],
    [
      'maxAttempts 2.5',
      (w) => (w.fallback.maxAttempts = 2.5),
      'fallback.maxAttempts: Invalid input: expected int',
    ],
    ['date min -3661', (w) => (variable(w, 1).min = -3661), 'routes.0.mandatoryVariables.1.min: Too small'],
    ['date max 3661', (w) => (variable(w, 1).max = 3661), 'routes.0.mandatoryVariables.1.max: Too big'],
    [
      'date min 1.5',
      (w) => (variable(w, 1).min = 1.5),
      'routes.0.mandatoryVariables.1.min: Invalid input: expected int',
    ],
    [
      'date min after max',
      (w) => Object.assign(variable(w, 1), { min: 10, max: 5 }),
      'routes.0.mandatoryVariables.1.max: max must not be before min',
    ],
    ['greeting', (w) => (w.greeting = long(1601)), 'greeting: Too big'],
    [
      'prompt',
      (w) => (variable(w, 0).prompt = long(1601)),
      'routes.0.mandatoryVariables.0.prompt: at most 1600 characters',
    ],
    [
      'invalidMessage',
      (w) => (variable(w, 2).invalidMessage = long(1601)),
      'routes.0.mandatoryVariables.2.invalidMessage: at most 1600',
    ],
    [
      'onNo.reply',
      (w) => (variable(w, 4).onNo.reply = long(1601)),
      'routes.0.mandatoryVariables.4.onNo.reply: at most 1600',
    ],
    [
      'onComplete.reply',
      (w) => (route(w).onComplete.reply = long(1601)),
      'routes.0.onComplete.reply: at most 1600',
    ],
    ['fallback.reply', (w) => (w.fallback.reply = long(1601)), 'fallback.reply: at most 1600'],
    ['failureMessage', (w) => (w.failureMessage = long(1601)), 'failureMessage: at most 1600'],
    ['help', (w) => (w.help = long(1601)), 'help: at most 1600'],
    [
      'workflow id',
      (w) => (w.id = 'a'.repeat(65)),
      'id: workflow ids are lowercase letters, digits and dashes',
    ],
    ['route id', (w) => (route(w).id = long(65)), 'routes.0.id: Too big'],
    ['variable name', (w) => (variable(w, 0).name = long(65)), 'routes.0.mandatoryVariables.0.name: Too big'],
    ['keyword length', (w) => (route(w).match.keywords = [long(41)]), 'routes.0.match.keywords.0: Too big'],
    [
      'keyword count',
      (w) => (route(w).match.keywords = Array.from({ length: 51 }, (_, i) => `k${i}`)),
      'routes.0.match.keywords: Too big',
    ],
    [
      'pattern count',
      (w) => (route(w).match.patterns = Array.from({ length: 21 }, (_, i) => `p${i}`)),
      'routes.0.match.patterns: Too big',
    ],
    [
      'variable count',
      (w) =>
        (route(w).mandatoryVariables = Array.from({ length: 51 }, (_, i) => ({
          name: `v${i}`,
          type: 'text',
          prompt: '?',
        }))),
      'routes.0.mandatoryVariables: Too big',
    ],
    [
      'route count',
      (w) =>
        (w.routes = Array.from({ length: 21 }, (_, i) => ({ id: `r${i}`, onComplete: { reply: 'ok' } }))),
      'routes: Too big',
    ],
    [
      'option count',
      (w) => (variable(w, 3).options = Array.from({ length: 21 }, (_, i) => `o${i}`)),
      'routes.0.mandatoryVariables.3.options: Too big',
    ],
    [
      'option length',
      (w) => (variable(w, 3).options = ['a', long(101)]),
      'routes.0.mandatoryVariables.3.options.1: Too big',
    ],
    [
      'webhook url',
      (w) => (route(w).onComplete.webhook.url = `https://example.com/${long(2030)}`),
      'routes.0.onComplete.webhook.url: url must be at most 2048 characters',
    ],
    ['unknown locale', (w) => (w.locale = 'xx'), 'locale: locale must be a BCP 47 locale this runtime knows'],
    ['malformed locale', (w) => (w.locale = 'not a locale'), 'locale: locale must be a BCP 47 locale'],
    [
      'lower-case country',
      (w) => (w.defaultCountry = 'gb'),
      'defaultCountry: defaultCountry is a two-letter',
    ],
    [
      'three-letter country',
      (w) => (w.defaultCountry = 'GBR'),
      'defaultCountry: defaultCountry is a two-letter',
    ],
    ['time zone', (w) => (w.timeZone = 'Mars/Olympus'), 'timeZone: timeZone must be an IANA time zone'],
  ])('%s', (_what, change, error) => {
    const errors = errorsOf(change);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(error);
  });

  it('accepts the bounds themselves', () => {
    const limits = WORKFLOW_LIMITS;
    expect(
      errorsOf((w) => {
        w.expiresAfterHours = limits.expiresAfterHours.max;
        w.fallback.maxAttempts = limits.maxAttempts.max;
        Object.assign(variable(w, 1), { min: -limits.days, max: limits.days });
        variable(w, 0).prompt = long(limits.text);
        route(w).match.keywords = Array.from({ length: limits.keywordsPerRoute }, (_, i) =>
          `${long(37)}${i}`.slice(-40),
        );
        variable(w, 3).options = Array.from({ length: limits.options }, (_, i) =>
          `${i}${long(99)}`.slice(0, 100),
        );
        w.locale = 'fr';
      }),
    ).toEqual([]);
    expect(errorsOf((w) => (w.expiresAfterHours = 1))).toEqual([]);
    expect(errorsOf((w) => Object.assign(variable(w, 1), { min: 7, max: 7 }))).toEqual([]);
  });
});

describe('parseWorkflow refuses names that would break the engine', () => {
  const reserved = [
    '__proto__',
    'constructor',
    'prototype',
    'hasOwnProperty',
    'toString',
    'valueOf',
    'isPrototypeOf',
    'propertyIsEnumerable',
    'toLocaleString',
    '__defineGetter__',
    '__lookupSetter__',
    'Constructor',
    'TOSTRING',
  ];
  it.each(reserved)('a variable named %s', (name) => {
    expect(errorsOf((w) => (variable(w, 0).name = name))).toEqual([
      `routes.0.mandatoryVariables.0.name: "${name}" is reserved (a property of every JavaScript object); choose another name`,
    ]);
  });

  it('accepts names that merely contain one (order_constructor, to_string)', () => {
    expect(errorsOf((w) => (variable(w, 0).name = 'order_constructor'))).toEqual([]);
    expect(errorsOf((w) => (variable(w, 0).name = 'to_string'))).toEqual([]);
  });

  it('duplicate variable names in a route (ignoring case), duplicate route ids', () => {
    expect(errorsOf((w) => (variable(w, 3).name = 'Day'))).toEqual([
      'routes.0.mandatoryVariables.3.name: duplicate variable name "Day" (also mandatoryVariables.1)',
    ]);
    expect(errorsOf((w) => (w.routes[1].id = 'order'))).toEqual([
      'routes.1.id: duplicate route id "order" (also routes.0)',
    ]);
    // The same name in two routes is two variables.
    expect(
      errorsOf((w) => (w.routes[1].mandatoryVariables = [{ name: 'day', type: 'date', prompt: 'When?' }])),
    ).toEqual([]);
  });

  it('onNo.clear naming a variable that is not asked before it in the route', () => {
    expect(errorsOf((w) => (variable(w, 4).onNo.clear = ['day', 'later', 'ok']))).toEqual([
      'routes.0.mandatoryVariables.4.onNo.clear.1: "later" is not a variable asked before ok in this route',
      'routes.0.mandatoryVariables.4.onNo.clear.2: "ok" is not a variable asked before ok in this route',
    ]);
    expect(
      errorsOf((w) => {
        route(w).mandatoryVariables.push({ name: 'later', type: 'text', prompt: '?' });
        variable(w, 4).onNo.clear = ['later'];
      }),
    ).toEqual([
      'routes.0.mandatoryVariables.4.onNo.clear.0: "later" is not a variable asked before ok in this route',
    ]);
  });
});

describe('parseWorkflow refuses patterns the linear-time engine cannot run, or that match nothing', () => {
  it.each<[string, string]>([
    ['(\\d)\\1', 'backreference \\1 is not supported: patterns run in a linear-time engine (RE2)'],
    ['\\d{6}(?=\\b)', 'lookahead (?=...) is not supported: patterns run in a linear-time engine (RE2)'],
    ['(?<=#)\\d{6}', 'lookbehind (?<=...) is not supported'],
    ['\\d++', 'possessive quantifier ++ is not supported'],
    ['(\\d', 'not a regular expression RE2 accepts (missing closing )'],
    [long(201), 'pattern is longer than 200 characters'],
    ['\\d*', 'pattern can match the empty string, so it would fill the variable from any message'],
    ['\\b', 'pattern can match the empty string'],
    ['(ABC)?', 'pattern can match the empty string'],
  ])('a pattern variable %s', (pattern, reason) => {
    expect(errorsOf((w) => (variable(w, 0).pattern = pattern))).toEqual([
      expect.stringMatching(new RegExp(`^routes\\.0\\.mandatoryVariables\\.0\\.pattern: `)),
    ]);
    expect(errorsOf((w) => (variable(w, 0).pattern = pattern))[0]).toContain(reason);
  });

  it('match.patterns, each with its index', () => {
    expect(errorsOf((w) => (route(w).match.patterns = ['\\border\\b', '(a)\\1', 'x*']))).toEqual([
      'routes.0.match.patterns.1: backreference \\1 is not supported: patterns run in a linear-time engine (RE2)',
      'routes.0.match.patterns.2: pattern can match the empty string, so it would pick this route for any message (for example \\d+ rather than \\d*)',
    ]);
  });

  it('accepts a backtracking trap like ^(a+)+$ or ^(a|aa)+$: RE2 runs it in linear time', () => {
    for (const pattern of ['^(a+)+$', '^(a|aa)+$', '(x+x+)+y']) {
      const workflow = base();
      variable(workflow, 0).pattern = pattern;
      const parsed = parseWorkflow(workflow);
      if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
      const trap = parsed.workflow.routes[0]?.mandatoryVariables[0];
      if (!trap) throw new Error('no variable');
      // 1,600 characters (an SMS body at most) that would take a backtracking engine for ever: it returns.
      expect(extractVariable(trap, `${'a'.repeat(1599)}!`, new Date()).found).toBe(false);
      expect(extractVariable(trap, 'x'.repeat(1600), new Date()).found).toBe(false);
    }
  });

  it('the extractor reads a pattern variable through RE2: (?i) works, the leftmost match is the value', () => {
    const parsed = parseWorkflow(
      (() => {
        const workflow = base();
        variable(workflow, 0).pattern = '(?i)\\bAB-\\d{3}\\b';
        return workflow;
      })(),
    );
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const ref = parsed.workflow.routes[0]?.mandatoryVariables[0];
    if (!ref) throw new Error('no variable');
    expect(extractVariable(ref, 'it is ab-123 or AB-456', new Date())).toEqual({
      found: true,
      value: 'ab-123',
      matched: 'ab-123',
    });
  });
});
