import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinMessage } from '../../../lambdas/domain/language/builtin-messages';
import { parseWorkflow, type Workflow } from '../../../lambdas/domain/workflow/definition';
import { runTurn, type SlotState } from '../../../lambdas/domain/workflow/engine';
import { releaseHandoff } from '../../../lambdas/domain/workflow/handoff';
import { lintWorkflow } from '../../../lambdas/domain/workflow/lint';
import { startWorkflow } from '../../../lambdas/domain/workflow/start';
import { readStoredWorkflow } from '../../../lambdas/domain/workflow/stored';

const NOW = new Date('2026-12-01T15:00:00Z');
const BILINGUAL = JSON.parse(
  readFileSync('examples/workflows/appointment-booking-bilingual.json', 'utf8'),
) as Record<string, unknown>;
const ORDER_STATUS = JSON.parse(readFileSync('examples/workflows/order-status.json', 'utf8')) as Record<
  string,
  unknown
>;

function parsed(definition: unknown): Workflow {
  const result = parseWorkflow(definition);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.workflow;
}

function errorsOf(definition: unknown): string[] {
  const result = parseWorkflow(definition);
  return result.ok ? [] : result.errors;
}

const bilingual = parsed(BILINGUAL);

/** A conversation through runTurn alone: each message's replies, the state carried on. */
function conversation(workflow: Workflow, language?: string) {
  let state: SlotState | undefined;
  return {
    say(text: string, options: { language?: string } = {}) {
      const turn = runTurn({
        workflow,
        state,
        text,
        now: NOW,
        ...((options.language ?? language) ? { language: options.language ?? language } : {}),
      });
      state = turn.state;
      return turn;
    },
    get state() {
      return state;
    },
  };
}

describe('languages in the definition', () => {
  it('keeps every existing workflow valid, a plain string the same text in every language', () => {
    expect(errorsOf(ORDER_STATUS)).toEqual([]);
    expect(errorsOf(BILINGUAL)).toEqual([]);
  });

  it.each([
    [{ languages: ['en', 'english'] }, 'languages.1: "english" is not a BCP 47 language tag'],
    [{ languages: ['EN'] }, 'languages.0: write the language tag "EN" as "en"'],
    [{ languages: [] }, 'languages: languages names at least one language'],
    [{ languages: ['en', 'es', 'en'] }, 'languages.2: "en" is listed twice'],
    [{ greeting: { english: 'Hi' } }, 'greeting.english: "english" is not a BCP 47 language tag'],
    [
      { languages: ['en', 'es'], greeting: { es: 'Hola' } },
      'greeting: the map by language lacks the default language "en"',
    ],
    [
      { languages: ['en', 'es'], greeting: { en: 'Hi', fr: 'Salut' } },
      'greeting.fr: "fr" is not one of the workflow\'s languages',
    ],
    [
      { greeting: { en: 'Hi', es: 'Hola' } },
      'greeting.es: "es" is not one of the workflow\'s languages ["en"] (no languages field',
    ],
    [{ greeting: 5 }, 'greeting: expected a string or a map by language'],
    [{ failureMessage: { en: '' } }, 'failureMessage.en: Too small'],
    [{ locale: { en: 'xx-nope' } }, 'locale.en: '],
  ])('%j is refused naming the path', (change, error) => {
    const errors = errorsOf({ ...ORDER_STATUS, ...change });
    expect(
      errors.some((line) => line.startsWith(error)),
      errors.join('\n'),
    ).toBe(true);
  });

  it('refuses a map by language of keywords missing the default, naming the route', () => {
    const routes = (BILINGUAL.routes as Record<string, unknown>[]).map((route) => ({
      ...route,
      match: { keywords: { es: ['cita'] } },
    }));
    expect(errorsOf({ ...BILINGUAL, routes })).toEqual([
      'routes.0.match.keywords: the map by language lacks the default language "en" (the first of languages), which every other language falls back to',
    ]);
  });

  it('reads maps back from storage (the handlers read without zod)', () => {
    expect(readStoredWorkflow(JSON.stringify(bilingual))).toEqual(bilingual);
    expect(() => readStoredWorkflow(JSON.stringify({ ...bilingual, greeting: { en: 5 } }))).toThrow(
      'greeting.en: expected text',
    );
  });
});

describe('workflow lint in every language', () => {
  it('fails on a map lacking a language of the workflow, naming the path and the language', () => {
    const workflow = parsed({ ...BILINGUAL, help: { en: 'Text BOOK.' } });
    expect(lintWorkflow(workflow).errors).toContain(
      'help: no text in es (a conversation in es would get the en one)',
    );
  });

  it('fails on a language without any text of its own', () => {
    const workflow = parsed({ ...ORDER_STATUS, languages: ['en', 'es'] });
    expect(lintWorkflow(workflow).errors).toContain(
      'languages: es has no text of its own (every text is the same in every language); give texts as maps by language',
    );
  });

  it('warns on what UCS-2 costs each language, naming the text and its segments', () => {
    const report = lintWorkflow(bilingual);
    expect(report.errors).toEqual([]);
    expect(report.warnings).toContain(
      '[es] help: 2 segments in UCS-2 for "í" (70 characters a segment instead of 160); 1 without them',
    );
    expect(report.warnings.some((line) => /^\[es\] \d+ texts? needs? UCS-2/.test(line))).toBe(true);
    expect(report.warnings.some((line) => line.startsWith('[en]'))).toBe(false);
    // Every text is measured in each language.
    const prompts = report.replies.filter(
      (reply) => reply.where === 'routes.book.mandatoryVariables.appointment_date.prompt',
    );
    expect(prompts.map((reply) => [reply.language, reply.encoding])).toEqual([
      ['en', 'GSM-7'],
      ['es', 'UCS-2'],
    ]);
  });

  it('reports a workflow of one language as before (no language tags)', () => {
    const report = lintWorkflow(parsed(ORDER_STATUS));
    expect(report.replies.every((reply) => reply.language === undefined)).toBe(true);
    expect(report.warnings.some((line) => line.includes('UCS-2 for'))).toBe(false);
  });
});

describe('a conversation in the language decided for it', () => {
  it('speaks Spanish end to end: greeting, prompts, dates, confirmation, in the state', () => {
    const chat = conversation(bilingual, 'es');
    expect(chat.say('Hola, quiero una cita').replies).toEqual([
      '¡Hola, le saluda la Clínica Elegi+! ¿Qué día le gustaría venir?',
    ]);
    expect(chat.state?.language).toBe('es');
    expect(chat.say('10/12').replies[0]).toMatch(/^¿A qué hora le viene bien el \S+, 10 de diciembre\?$/);
    expect(chat.say('15:30').replies[0]).toMatch(/a las 15:30\? Responda SÍ o NO\.$/);
    const done = chat.say('sí');
    expect(done.completed).toBe(true);
    expect(done.replies[0]).toMatch(
      /^Su cita queda reservada para el .* a las 15:30\. ¡Hasta pronto! - Elegi\+$/,
    );
  });

  it('goes on in the language the state remembers when none is given', () => {
    const chat = conversation(bilingual);
    chat.say('Hola, quiero una cita', { language: 'es' });
    expect(chat.say('no lo sé').replies[0]).toContain('¿Qué día le gustaría venir?');
  });

  it('a switching keyword changes the language for good and asks the awaited prompt again in it', () => {
    const chat = conversation(bilingual);
    chat.say('Hola, quiero una cita', { language: 'es' });
    const switched = chat.say('ENGLISH');
    expect(switched.replies).toEqual(['What day would you like to come in?']);
    expect(switched.languageChanged).toBe('en');
    expect(chat.state).toMatchObject({ status: 'collecting', routeId: 'book', language: 'en' });
    expect(chat.say('12/10').replies[0]).toMatch(/^What time suits you on \w+, December 10\?$/);
    expect(chat.say('ESPAÑOL').replies[0]).toMatch(/^¿A qué hora le viene bien el \S+, 10 de diciembre\?$/);
  });

  it('a switching keyword before anything started greets in the new language', () => {
    const chat = conversation(bilingual);
    expect(chat.say('español').replies).toEqual(['¡Hola, le saluda la Clínica Elegi+!']);
    expect(chat.say('quiero una cita').replies).toEqual(['¿Qué día le gustaría venir?']);
    const plain = conversation(parsed({ ...BILINGUAL, greeting: undefined }));
    expect(plain.say('ESPANOL').replies).toEqual([builtinMessage('languageChanged', 'es')]);
  });

  it('route keywords of every language pick the route; the fallback and hand-off speak the language', () => {
    const chat = conversation(bilingual, 'es');
    expect(chat.say('necesito una cita').state.routeId).toBe('book');
    const lost = conversation(bilingual, 'es');
    expect(lost.say('qwerty').replies[0]).toContain('Perdone, no le he entendido.');
    expect(conversation(bilingual, 'es').say('HUMANO').replies).toEqual([builtinMessage('handoff', 'es')]);
  });

  it('leaves the states of a workflow of one language as they were (no language kept)', () => {
    const chat = conversation(parsed(ORDER_STATUS));
    chat.say('where is my order?');
    expect(chat.state).not.toHaveProperty('language');
  });

  it('a business-started conversation and a released hand-off speak the language too', () => {
    const started = startWorkflow({ workflow: bilingual, variables: {}, now: NOW, language: 'es' });
    expect(started).toMatchObject({
      ok: true,
      replies: ['¡Hola, le saluda la Clínica Elegi+! ¿Qué día le gustaría venir?'],
      state: { language: 'es' },
    });
    const release = releaseHandoff({
      workflow: bilingual,
      state: { routeId: 'book', variables: {}, language: 'es' },
      mode: 'resume',
      now: NOW,
    });
    expect(release.replies).toEqual(['¿Qué día le gustaría venir?']);
    expect(release.state.language).toBe('es');
  });
});
