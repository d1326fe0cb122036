import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../../../lambdas/domain/language/detect';
import { CARRIER_KEYWORDS, carrierKeyword } from '../../../lambdas/domain/language/carrier-keywords';
import { switchingKeyword, switchingNames } from '../../../lambdas/domain/language/switching';

const FIVE = ['en', 'es', 'fr', 'pt', 'de'];

/** A small labelled set: first messages as customers write them, long and short. */
const LABELLED: readonly [string, string][] = [
  ['Hola, quiero una cita', 'es'],
  ['hola', 'es'],
  ['sí', 'es'],
  ['gracias', 'es'],
  ['Buenos días, necesito cambiar mi cita para el martes', 'es'],
  ['quisiera reservar para dos personas', 'es'],
  ['Hi, I want to book an appointment', 'en'],
  ['hello', 'en'],
  ['yes please', 'en'],
  ['Where is my package? It has not arrived yet', 'en'],
  ['Bonjour, je voudrais un rendez-vous', 'fr'],
  ['merci', 'fr'],
  ['oui', 'fr'],
  ["Je n'ai pas reçu ma commande", 'fr'],
  ['Olá, quero marcar uma consulta', 'pt'],
  ['obrigado', 'pt'],
  ['sim', 'pt'],
  ['Meu pedido ainda não chegou', 'pt'],
  ['Hallo, ich möchte einen Termin', 'de'],
  ['danke', 'de'],
  ['ja bitte', 'de'],
  ['Meine Bestellung ist noch nicht angekommen', 'de'],
];

describe('language detection (franc-min and cue words)', () => {
  it.each(LABELLED)('"%s" is %s among five languages', (text, language) => {
    expect(detectLanguage(text, FIVE)).toBe(language);
  });

  it('scores at least 90% on the labelled set among two languages (en, es) too', () => {
    const pairs = LABELLED.filter(([, language]) => language === 'en' || language === 'es');
    const right = pairs.filter(([text, language]) => detectLanguage(text, ['en', 'es']) === language).length;
    expect(right / pairs.length).toBeGreaterThanOrEqual(0.9);
  });

  it('answers only with the workflow languages, in their own tags', () => {
    expect(detectLanguage('Hola, quiero una cita', ['en', 'es-MX'])).toBe('es-MX');
    expect(detectLanguage('Bonjour, je voudrais un rendez-vous', ['en', 'es'])).not.toBe('fr');
  });

  it('says nothing when nothing tells the languages apart', () => {
    expect(detectLanguage('123456', ['en', 'es'])).toBeUndefined();
    expect(detectLanguage('ok', ['en', 'es'])).toBeUndefined();
    expect(detectLanguage('', ['en', 'es'])).toBeUndefined();
  });

  it("counts the workflow's keywords in each language as evidence", () => {
    const keywords = new Map([
      ['en', ['appointment']],
      ['es', ['turno']],
    ]);
    expect(detectLanguage('turno', ['en', 'es'])).toBeUndefined();
    expect(detectLanguage('turno', ['en', 'es'], keywords)).toBe('es');
  });

  it('a workflow of one language is that language', () => {
    expect(detectLanguage('Bonjour', ['es'])).toBe('es');
  });
});

describe('carrier keyword families per language', () => {
  it.each([
    ['PARAR', 'optOut', 'es'],
    ['cancelar', 'optOut', 'es'],
    ['AYUDA', 'help', 'es'],
    ['Sí', 'optIn', 'es'],
    ['ARRÊT', 'optOut', 'fr'],
    ['aide', 'help', 'fr'],
    ['sair', 'optOut', 'pt'],
    ['ajuda', 'help', 'pt'],
    ['hilfe!', 'help', 'de'],
    ['STOPP', 'optOut', 'de'],
    ['stop', 'optOut', 'en'],
  ])('%s: %s (%s)', (body, intent, language) => {
    expect(carrierKeyword(body)).toEqual({ intent, language });
  });

  it('every language has the three families, and no word means two things', () => {
    const meaning = new Map<string, string>();
    for (const families of Object.values(CARRIER_KEYWORDS))
      for (const [intent, words] of Object.entries(families)) {
        expect(words.length, intent).toBeGreaterThan(0);
        for (const word of words) {
          expect(meaning.get(word) ?? intent, word).toBe(intent);
          meaning.set(word, intent);
        }
      }
  });

  it('is a whole-message match', () => {
    expect(carrierKeyword('parar ya')).toBeUndefined();
    expect(carrierKeyword('necesito ayuda')).toBeUndefined();
  });
});

describe('switching keywords', () => {
  const workflow = { languages: ['en', 'es', 'fr', 'pt', 'de'] };

  it.each([
    ['ESPAÑOL', 'es'],
    ['espanol', 'es'],
    ['Spanish', 'es'],
    ['ENGLISH', 'en'],
    ['inglés', 'en'],
    ['Français', 'fr'],
    ['PORTUGUÊS', 'pt'],
    ['deutsch!', 'de'],
    ['German', 'de'],
  ])('%s switches to %s', (text, language) => {
    expect(switchingKeyword(text, workflow)).toBe(language);
  });

  it('only the workflow languages, only the whole message, only with several languages', () => {
    expect(switchingKeyword('FRANÇAIS', { languages: ['en', 'es'] })).toBeUndefined();
    expect(switchingKeyword('I speak English', workflow)).toBeUndefined();
    expect(switchingKeyword('ENGLISH', { languages: ['en'] })).toBeUndefined();
    expect(switchingKeyword('ENGLISH', {})).toBeUndefined();
  });

  it('names a regional language by its own name and its primary language', () => {
    const names = switchingNames('es-MX', { languages: ['en', 'es-MX'] });
    expect(names).toContain('espanol');
    expect(names).toContain('spanish');
  });
});
