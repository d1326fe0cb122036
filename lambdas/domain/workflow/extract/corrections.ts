import { extractLanguage, fold, type ExtractLanguage } from './language';

/**
 * Words that say a message corrects an answer already given ("actually it was 654321", "perdón,
 * quise decir el 11"), per language; English is the engine's own cue list. They are matched on
 * folded text (lower case, no accents), so "perdon" and "perdón" both count.
 */
export const CORRECTION_CUES: Readonly<Record<ExtractLanguage, RegExp>> = {
  en: /^\W*no\b|\b(actually|sorry|i meant|i mean|correction|oops|my mistake|my bad|wrong|make (?:it|that)|change (?:it|that) to|should (?:be|have been)|instead)\b/i,
  es: /^\W*no\b|\b(en realidad|perdon|perdona|disculpa|quise decir|quiero decir|me equivoque|error|mejor|corrijo|correccion|cambialo a|cambia(?:lo)? a|en vez de|en lugar de|ups)\b/i,
  fr: /^\W*non\b|\b(en fait|plutot|pardon|desole|je voulais dire|je veux dire|correction|erreur|je me suis trompe|oups|finalement|au lieu de)\b/i,
  pt: /^\W*(?:nao|não)\b|\b(na verdade|desculpa|desculpe|perdao|quis dizer|quero dizer|me enganei|errei|erro|correcao|corrigindo|melhor|ops|em vez de|ao inves de)\b/i,
  de: /^\W*nein\b|\b(eigentlich|sorry|entschuldigung|ich meinte|ich meine|korrektur|falsch|fehler|doch lieber|lieber|stattdessen|hoppla|ups|vertippt)\b/i,
};

/**
 * Whether `text` says it corrects an earlier answer, in `language` (any BCP 47 tag; default and
 * unsupported languages: English). English cues count in every language: customers mix "sorry".
 */
export function correctionCue(text: string, language?: string): boolean {
  const read = extractLanguage(language);
  if (CORRECTION_CUES.en.test(text)) return true;
  return read !== 'en' && CORRECTION_CUES[read].test(fold(text));
}
