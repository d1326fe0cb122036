import type { ExtractLanguage } from './language';

/**
 * Choosing an option by position in the languages other than English, on folded text: ordinals
 * ("el primero", "la segunda", "premier", "segunda opção", "die erste"), the words around them
 * ("quiero", "je prends", "fico com", "ich nehme"; "por favor", "stp", "bitte") and the words too
 * common to tell options apart.
 */
export interface ChoiceWords {
  readonly ordinals: Readonly<Record<string, number>>;
  /** The last option: "el último", "la dernière", "o último", "die letzte". */
  readonly last: string;
  /** The middle one of an odd number of options: "la del medio", "celle du milieu". */
  readonly middle: string;
  /** Before the position: "quiero", "me quedo con", "la", "el", "opción". */
  readonly before: string;
  /** Words naming an option: "opción", "option", "opção", "Nummer". */
  readonly option: string;
  /** After the position: "por favor", "porfa", "stp", "bitte". */
  readonly after: string;
  readonly stopwords: readonly string[];
}

function ordinals(entries: readonly (readonly [number, readonly string[]])[]): Record<string, number> {
  return Object.fromEntries(
    entries.flatMap(([value, spellings]) => spellings.map((s) => [s, value] as const)),
  );
}

export const CHOICE_WORDS: Readonly<Record<Exclude<ExtractLanguage, 'en'>, ChoiceWords>> = {
  es: {
    ordinals: ordinals([
      [1, ['primero', 'primera', 'primer', '1o', '1a', '1ro', '1ra', '1er', '1era']],
      [2, ['segundo', 'segunda', '2o', '2a', '2do', '2da']],
      [3, ['tercero', 'tercera', 'tercer', '3o', '3a', '3ro', '3ra', '3er']],
      [4, ['cuarto', 'cuarta', '4o', '4a', '4to', '4ta']],
      [5, ['quinto', 'quinta', '5o', '5a', '5to', '5ta']],
      [6, ['sexto', 'sexta']],
    ]),
    last: 'ultim[oa]',
    middle: '(?:(?:el|la|lo)\\s+)?de(?:l|\\s+en)\\s+medio',
    before:
      '(?:quiero|quisiera|prefiero|elijo|escojo|me\\s+quedo\\s+con|dame|deme|mejor|pues|bueno|vale|ok|mm+|eh+|creo\\s+que|la|el|lo|los|las|de|con)',
    option: 'opcion|numero|num|nro|no\\.?|#',
    after: '(?:por\\s+favor|porfa|porfis|xfa|pls|gracias|opcion)',
    stopwords: [
      'el',
      'la',
      'los',
      'las',
      'de',
      'del',
      'un',
      'una',
      'y',
      'o',
      'para',
      'por',
      'con',
      'en',
      'mi',
      'favor',
    ],
  },
  fr: {
    ordinals: ordinals([
      [1, ['premier', 'premiere', '1er', '1ere', '1re']],
      [2, ['deuxieme', 'second', 'seconde', '2e', '2eme', '2nd', '2nde']],
      [3, ['troisieme', '3e', '3eme']],
      [4, ['quatrieme', '4e', '4eme']],
      [5, ['cinquieme', '5e', '5eme']],
      [6, ['sixieme', '6e', '6eme']],
    ]),
    last: 'derniere?',
    middle: '(?:(?:celui|celle|le|la)\\s+)?du\\s+milieu',
    before:
      "(?:je\\s+veux|je\\s+voudrais|je\\s+prends|je\\s+prendrai|je\\s+choisis|je\\s+prefere|plutot|alors|bon|ok|euh+|hmm+|le|la|l'|les|du|de\\s+la)",
    option: 'option|numero|num|no\\.?|n°|#|choix',
    after: "(?:s'il\\s+vous\\s+plait|s'il\\s+te\\s+plait|svp|stp|merci|option|choix)",
    stopwords: [
      'le',
      'la',
      'les',
      'de',
      'des',
      'du',
      'un',
      'une',
      'et',
      'ou',
      'pour',
      'en',
      'mon',
      'ma',
      "l'",
      'd',
    ],
  },
  pt: {
    ordinals: ordinals([
      [1, ['primeiro', 'primeira', '1o', '1a']],
      [2, ['segundo', 'segunda', '2o', '2a']],
      [3, ['terceiro', 'terceira', '3o', '3a']],
      [4, ['quarto', 'quarta', '4o', '4a']],
      [5, ['quinto', 'quinta', '5o', '5a']],
      [6, ['sexto', 'sexta']],
    ]),
    last: 'ultim[oa]',
    middle: '(?:(?:o|a)\\s+)?do\\s+meio',
    before:
      '(?:quero|queria|prefiro|escolho|fico\\s+com|vou\\s+de|vou\\s+com|me\\s+da|pode\\s+ser|entao|bom|ok|hmm+|acho\\s+que|o|a|os|as|da|do|na|no)',
    option: 'opcao|numero|num|no\\.?|n°|#',
    after: '(?:por\\s+favor|pfv|pf|pfvr|obrigad[oa]|valeu|opcao)',
    stopwords: [
      'o',
      'a',
      'os',
      'as',
      'de',
      'do',
      'da',
      'um',
      'uma',
      'e',
      'ou',
      'para',
      'pra',
      'com',
      'em',
      'meu',
      'minha',
    ],
  },
  de: {
    ordinals: ordinals([
      [1, ['erste', 'erster', 'ersten', 'erstes', '1.']],
      [2, ['zweite', 'zweiter', 'zweiten', 'zweites', '2.']],
      [3, ['dritte', 'dritter', 'dritten', 'drittes', '3.']],
      [4, ['vierte', 'vierter', 'vierten', 'viertes', '4.']],
      [5, ['funfte', 'funfter', 'funften', 'fuenfte', '5.']],
      [6, ['sechste', 'sechster', 'sechsten', '6.']],
    ]),
    last: 'letzte[nrs]?',
    middle: '(?:(?:die|der|das|den)\\s+)?mittlere[nrs]?|(?:die|der|das)\\s+in\\s+der\\s+mitte',
    before:
      '(?:ich\\s+nehme|ich\\s+mochte|ich\\s+moechte|ich\\s+hatte\\s+gern(?:e)?|ich\\s+will|lieber|dann|also|ok|ahm+|hmm+|die|der|das|den|bitte)',
    option: 'option|nummer|nr\\.?|no\\.?|#|variante',
    after: '(?:bitte|danke|option|variante)',
    stopwords: [
      'der',
      'die',
      'das',
      'den',
      'dem',
      'des',
      'ein',
      'eine',
      'und',
      'oder',
      'fur',
      'mit',
      'zu',
      'mein',
      'meine',
      'bitte',
    ],
  },
};
