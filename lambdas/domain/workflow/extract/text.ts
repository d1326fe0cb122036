import { extractLanguage, fold } from './language';
import { reason, variableLabel } from './reasons';
import type { Extraction } from './types';

export { variableLabel } from './reasons';

export function textReason(name: string, language?: string): string {
  return reason('text', language, variableLabel(name));
}

/** Answers that say nothing: a question back, or not knowing. */
const NON_ANSWER =
  /^(?:idk|i ?do ?n'?t know|dunno|no idea|not sure|what|wat|wut|huh|sorry what|what do you mean|who is this)$/;
/** "hello??": someone wondering who is texting, not answering. */
const CONFUSED_GREETING = /^(?:hello|hi|hey|helo|hullo)\s*\?+$/i;

/** Non-answers in the other languages read, compared folded (no accents, lower case). */
const FOREIGN_NON_ANSWER =
  /^(?:no se|nose|ni idea|que|q|como|mande|quien eres|quien es|je sais pas|je ne sais pas|jsp|sais pas|aucune idee|quoi|hein|comment|pardon|nao sei|sei la|sla|nem ideia|oque|o que|como assim|quem e|weiss nicht|keine ahnung|was|wie bitte|ha|wer ist da)$/;
const FOREIGN_CONFUSED_GREETING = /^(?:hola|bonjour|salut|ola|oi|hallo|moin)\s*\?+$/;

/** Free text: the whole answer, trimmed; an empty answer or a non-answer ("idk", "what?") is asked again. */
export function extractText(text: string, name: string, language?: string): Extraction {
  const trimmed = text.trim();
  if (extractLanguage(language) !== 'en') {
    const folded = fold(trimmed);
    const said = folded
      .replace(/[^\p{L}\p{N}' ]+/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (
      FOREIGN_NON_ANSWER.test(said) ||
      FOREIGN_CONFUSED_GREETING.test(folded.replace(/^[¿¡]+/, '')) ||
      extractText(trimmed, name).found === false
    ) {
      return { found: false, reason: textReason(name, language) };
    }
    return { found: true, value: trimmed };
  }
  const said = trimmed
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[^\p{L}\p{N}' ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (/^[\p{P}\s]*$/u.test(trimmed) || NON_ANSWER.test(said) || CONFUSED_GREETING.test(trimmed)) {
    return { found: false, reason: textReason(name) };
  }
  return { found: true, value: trimmed };
}
