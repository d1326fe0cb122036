import type { BuiltinLanguage } from './languages';

/**
 * The carrier keywords (opt-out, opt-in, HELP) per language, matched as Twilio matches them: the
 * whole message, case-insensitive. Sources:
 * - English: Twilio's default lists, "Twilio support for opt-out keywords (SMS STOP filtering)"
 *   (https://help.twilio.com/hc/en-us/articles/223134027) and the Advanced Opt-Out tutorial
 *   (https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out): STOP, STOPALL,
 *   UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT; START, YES, UNSTOP; HELP, INFO.
 * - French: ARRET, ARRETE, ARRETT are the opt-out words Twilio handles beside English ones
 *   (https://www.twilio.com/docs/proxy/opt-out-keywords).
 * - Other languages: Advanced Opt-Out lets a Messaging Service add a language's keywords; the words
 *   below are the ones messaging providers list for these languages (e.g. Bird's compliance
 *   keywords, https://docs.bird.com/applications/channels/channels/supported-channels/sms/concepts/opt-in-and-opt-out-compliance:
 *   AYUDA, AIDE, AJUDA, HILFE; DETENER, PARAR, HALT) and the direct translations of STOP, START, YES.
 * With Advanced Opt-Out configured, Twilio's `OptOutType` parameter names the family and wins
 * (opt-out.ts); without it these lists are how PARAR still opts out.
 */
export type KeywordIntent = 'optOut' | 'optIn' | 'help';

type Families = Readonly<Record<KeywordIntent, readonly string[]>>;

/** In the order a word claimed by two languages (PARAR: es, pt) is attributed: the first. */
export const CARRIER_KEYWORDS: Readonly<Record<BuiltinLanguage, Families>> = {
  en: {
    optOut: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'],
    optIn: ['START', 'YES', 'UNSTOP'],
    help: ['HELP', 'INFO'],
  },
  es: {
    optOut: ['PARAR', 'DETENER', 'CANCELAR', 'BAJA'],
    optIn: ['COMENZAR', 'INICIAR', 'SI'],
    help: ['AYUDA'],
  },
  fr: {
    optOut: ['ARRET', 'ARRETE', 'ARRETT'],
    optIn: ['NONARRET', 'DEMARRER', 'OUI'],
    help: ['AIDE'],
  },
  pt: {
    optOut: ['PARAR', 'SAIR', 'CANCELAR'],
    optIn: ['COMECAR', 'SIM'],
    help: ['AJUDA'],
  },
  de: {
    optOut: ['STOPP', 'HALT', 'ABMELDEN'],
    optIn: ['ANMELDEN', 'JA'],
    help: ['HILFE'],
  },
};

const INTENTS: readonly KeywordIntent[] = ['optOut', 'optIn', 'help'];

/** Each keyword's intent and the language it was first listed in. */
const BY_WORD: ReadonlyMap<string, { intent: KeywordIntent; language: BuiltinLanguage }> = (() => {
  const byWord = new Map<string, { intent: KeywordIntent; language: BuiltinLanguage }>();
  for (const [language, families] of Object.entries(CARRIER_KEYWORDS) as [BuiltinLanguage, Families][])
    for (const intent of INTENTS)
      for (const word of families[intent]) if (!byWord.has(word)) byWord.set(word, { intent, language });
  return byWord;
})();

/**
 * The whole message as a keyword: NFKC, trimmed, trailing punctuation dropped, accents folded
 * ("Sí" and "SI", "ARRÊT" and "ARRET" are one keyword), upper case.
 */
export function keywordForm(body: string): string {
  return body
    .normalize('NFKC')
    .trim()
    .replace(/[.!?,;:]+$/u, '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase();
}

/** The carrier keyword a message is, with the language it belongs to; undefined for any other message. */
export function carrierKeyword(
  body: string,
): { intent: KeywordIntent; language: BuiltinLanguage } | undefined {
  return BY_WORD.get(keywordForm(body));
}
