import type { Extraction } from './types';

/** What a `text` variable is called in a reason: `issue_description` -> "issue description". */
export function variableLabel(name: string): string {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/_+/g, ' ')
    .trim()
    .toLowerCase();
}

export function textReason(name: string): string {
  return `Please reply with your ${variableLabel(name)}.`;
}

/** Answers that say nothing: a question back, or not knowing. */
const NON_ANSWER =
  /^(?:idk|i ?do ?n'?t know|dunno|no idea|not sure|what|wat|wut|huh|sorry what|what do you mean|who is this)$/;
/** "hello??": someone wondering who is texting, not answering. */
const CONFUSED_GREETING = /^(?:hello|hi|hey|helo|hullo)\s*\?+$/i;

/** Free text: the whole answer, trimmed; an empty answer or a non-answer ("idk", "what?") is asked again. */
export function extractText(text: string, name: string): Extraction {
  const trimmed = text.trim();
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
