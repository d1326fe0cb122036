import { extractLanguage, fold, type ExtractLanguage } from './language';
import { reason } from './reasons';
import { normalize, type ExtractOptions, type Extraction } from './types';
import { YES_NO_WORDS } from './yesno-words';

export const YES_NO_REASON = 'Please reply YES or NO.';

/** Skin tones, variation selectors, zero-width joiners and gender signs that decorate an emoji. */
const EMOJI_MODIFIERS = /(?:[\u{1F3FB}-\u{1F3FF}]|\uFE0E|\uFE0F|\u200D|\u2640|\u2642)/gu;
const YES_EMOJI = /[\u{1F44D}\u2705\u{1F44C}\u{1F646}\u2611\u{1F4AF}\u2714\u{1F197}\u{1F91D}]/gu; // 👍 ✅ 👌 🙆 ☑ 💯 ✔ 🆗 🤝
const NO_EMOJI = /[\u{1F44E}\u274C\u{1F6AB}\u{1F645}\u2716\u26D4\u274E]/gu; // 👎 ❌ 🚫 🙅 ✖ ⛔ ❎

/**
 * Phrases that contain a yes or no word but answer neither, removed first ("no problem" is not a
 * no, "not sure" is not an answer).
 */
const NEUTRAL =
  /\b(?:no problem|no worries|no rush|no idea|not sure|not a problem|do ?n'?t know|i do ?n'?t know|dunno|idk|let me (?:think|check|see)|not yet sure)\b/g;
/** Phrases that mean no though they contain a yes word ("of course not"). */
const NO_PHRASES =
  /\b(?:(?:of course|absolutely|definitely|def|certainly|sure|hell) not|not really|no way|no thanks?|no thx|no ty|i do ?n'?t think so|never ?mind|nvm|not now|not at all|(?:i )?(?:can'?t|cannot|can not) (?:make it|do (?:it|that|then)|come)|^i (?:can'?t|cannot)$)\b/g;
/** Phrases that mean yes though they contain a no word ("why not"), or no yes word at all. */
const YES_PHRASES =
  /\b(?:why not|of course|for sure|sure thing|sounds good|sounds great|that works|works for me|go ahead|go for it|please do|that'?s right|that'?s fine|that'?s correct|fine by me|all good|do it|book it|let'?s do it)\b/g;

const YES_WORDS = new Set([
  'yes',
  'yeah',
  'yea',
  'yeh',
  'yah',
  'yep',
  'yup',
  'ya',
  'yas',
  'ye',
  'yh',
  'yeas',
  'yessir',
  'yesir',
  'sure',
  'ok',
  'okay',
  'okie',
  'okey',
  'oki',
  'okie-dokie',
  'k',
  'kk',
  'kay',
  'correct',
  'confirm',
  'confirmed',
  'absolutely',
  'definitely',
  'def',
  'deffo',
  'defo',
  'certainly',
  'affirmative',
  'bet',
  'ofc',
  'alright',
  'alrighty',
  'aight',
  'perfect',
  'great',
  'fine',
  'cool',
  'deal',
]);
const NO_WORDS = new Set([
  'no',
  'nope',
  'nah',
  'naw',
  'nay',
  'nop',
  'not',
  'never',
  'negative',
  'incorrect',
  'wrong',
  'cancel',
  "don't",
  'dont',
  'nvm',
]);

/** "yesss" -> "yes", "nooo" -> "no", "kk" -> "k": letters repeated for emphasis. */
function squeeze(word: string): string {
  return word.replace(/([a-z])\1+/g, '$1');
}
const SQUEEZED = new Map<string, string>(
  [...YES_WORDS, ...NO_WORDS].map((word) => [squeeze(word), word] as const),
);

/** A word as the lists spell it: itself if listed, else the listed word it repeats letters of. */
function canonical(word: string): string {
  if (YES_WORDS.has(word) || NO_WORDS.has(word)) return word;
  return SQUEEZED.get(squeeze(word)) ?? word;
}

/**
 * Yes/no words and emoji, matched as whole words anywhere in the answer ("I guess yes", "Book it,
 * yes", "yesss 👍", "nah", "of course not"), forgiving case, punctuation and repeated letters. An
 * answer with both a yes and a no ("yes no", "👍👎") is ambiguous and asked again: never both.
 */
export function extractYesNo(text: string, options: Pick<ExtractOptions, 'language'> = {}): Extraction {
  const language = extractLanguage(options.language);
  if (language !== 'en') return extractLocaleYesNo(text, language, options.language);
  const said = normalize(text)
    .replace(EMOJI_MODIFIERS, '')
    .replace(YES_EMOJI, ' yes ')
    .replace(NO_EMOJI, ' no ');
  if (/^\W*y\W*$/.test(said)) return { found: true, value: 'yes' };
  if (/^\W*n\W*$/.test(said)) return { found: true, value: 'no' };
  const words = (said.match(/[a-z]+(?:'[a-z]+)?/g) ?? []).map(canonical).join(' ');
  const unhedged = words.replace(NEUTRAL, ' ');
  const rest = unhedged.replace(NO_PHRASES, ' ');
  const plain = rest.replace(YES_PHRASES, ' ');
  const phrasedNo = rest !== unhedged;
  const phrasedYes = plain !== rest;
  const left = plain.split(' ');
  const yes = phrasedYes || left.some((word) => YES_WORDS.has(word));
  const no = phrasedNo || left.some((word) => NO_WORDS.has(word));
  if (yes && !no) return { found: true, value: 'yes' };
  if (no && !yes) return { found: true, value: 'no' };
  return { found: false, reason: YES_NO_REASON };
}

/** A one-letter answer: "s" (sí, sim), "o" (oui), "j" (ja) for yes; "n" for no. */
const YES_LETTER: Readonly<Record<Exclude<ExtractLanguage, 'en'>, string>> = {
  es: 's',
  fr: 'o',
  pt: 's',
  de: 'j',
};

const localeSqueezed = new Map<string, Map<string, string>>();

function localeCanonical(word: string, language: Exclude<ExtractLanguage, 'en'>): string {
  const words = YES_NO_WORDS[language];
  if (words.yes.has(word) || words.no.has(word) || YES_WORDS.has(word) || NO_WORDS.has(word)) return word;
  let squeezed = localeSqueezed.get(language);
  if (!squeezed) {
    squeezed = new Map([...SQUEEZED, ...[...words.yes, ...words.no].map((w) => [squeeze(w), w] as const)]);
    localeSqueezed.set(language, squeezed);
  }
  return squeezed.get(squeeze(word)) ?? word;
}

/**
 * Yes/no in a language other than English: that language's words and phrases ("sí", "claro",
 * "vale", "por supuesto", "claro que no"; "oui", "ouais", "d'accord", "pas du tout"; "sim", "pode
 * ser", "não"; "ja", "klar", "auf keinen Fall") and the English ones, folded (accents optional)
 * and forgiving repeated letters ("siii", "nããão"). Never both: an answer with a yes and a no is
 * asked again.
 */
function extractLocaleYesNo(
  text: string,
  language: Exclude<ExtractLanguage, 'en'>,
  tag: string | undefined,
): Extraction {
  const words = YES_NO_WORDS[language];
  const said = fold(
    normalize(text).replace(EMOJI_MODIFIERS, '').replace(YES_EMOJI, ' yes ').replace(NO_EMOJI, ' no '),
  );
  if (new RegExp(`^\\W*[y${YES_LETTER[language]}]\\W*$`).test(said)) return { found: true, value: 'yes' };
  if (/^\W*n\W*$/.test(said)) return { found: true, value: 'no' };
  const tokens = (said.match(/[a-z]+(?:['-][a-z]+)*/g) ?? []).map((word) => localeCanonical(word, language));
  const joined = tokens.join(' ');
  const unhedged = joined.replace(words.neutral, ' ').replace(NEUTRAL, ' ');
  const rest = unhedged.replace(words.noPhrases, ' ').replace(NO_PHRASES, ' ');
  const plain = rest.replace(words.yesPhrases, ' ').replace(YES_PHRASES, ' ');
  const left = plain.split(' ');
  const yes = plain !== rest || left.some((word) => words.yes.has(word) || YES_WORDS.has(word));
  const no = rest !== unhedged || left.some((word) => words.no.has(word) || NO_WORDS.has(word));
  if (yes && !no) return { found: true, value: 'yes' };
  if (no && !yes) return { found: true, value: 'no' };
  return { found: false, reason: reason('yesNo', tag) };
}
