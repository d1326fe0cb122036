import { francAll } from 'franc-min';
import { foldCase } from '../workflow/fuzzy';
import { primaryLanguage } from './languages';

/**
 * The language of a customer's first message, among the workflow's languages. franc-min (trigram
 * statistics) reads whole sentences well but nothing under ten characters, and SMS are often
 * shorter ("sí", "hola"); so words count too: a handful of words each language's customers open
 * or answer with, and the workflow's own keywords in each language. Loaded only when a workflow
 * speaks several languages and a conversation's language is not known yet (franc's trigram data is
 * 100 KB: no cost to any other cold start).
 */

/**
 * Words that tell a language apart in short messages: greetings, thanks, yes, "I want", and the
 * function words of a first request. Accents folded (foldCase). A word several languages share
 * ("para", "de") counts for each, divided among them.
 */
const CUE_WORDS: Readonly<Record<string, readonly string[]>> = {
  en: [
    'hi',
    'hello',
    'hey',
    'thanks',
    'thank',
    'yes',
    'yeah',
    'yep',
    'please',
    'want',
    'need',
    'my',
    'the',
    'i',
    'is',
    'and',
    'to',
    'an',
    'appointment',
    'book',
    'english',
  ],
  es: [
    'hola',
    'gracias',
    'si',
    'quiero',
    'quisiera',
    'necesito',
    'buenos',
    'buenas',
    'dias',
    'tardes',
    'noches',
    'cita',
    'por',
    'favor',
    'el',
    'la',
    'una',
    'mi',
    'para',
    'que',
    'con',
    'espanol',
    'vale',
    'claro',
    'ayuda',
  ],
  fr: [
    'bonjour',
    'bonsoir',
    'salut',
    'merci',
    'oui',
    'je',
    'voudrais',
    'veux',
    'le',
    'les',
    'un',
    'une',
    'est',
    'pour',
    'avec',
    'rendez',
    'vous',
    'mon',
    'ma',
    'plait',
    'francais',
    'aide',
  ],
  pt: [
    'ola',
    'oi',
    'obrigado',
    'obrigada',
    'sim',
    'quero',
    'gostaria',
    'preciso',
    'bom',
    'dia',
    'boa',
    'tarde',
    'marcar',
    'consulta',
    'uma',
    'meu',
    'minha',
    'voce',
    'nao',
    'para',
    'com',
    'portugues',
    'ajuda',
  ],
  de: [
    'hallo',
    'danke',
    'ja',
    'ich',
    'mochte',
    'moechte',
    'bitte',
    'guten',
    'tag',
    'termin',
    'einen',
    'ein',
    'eine',
    'mein',
    'der',
    'die',
    'das',
    'und',
    'nicht',
    'deutsch',
    'hilfe',
  ],
};

/** franc reads nothing shorter (its own default). */
const FRANC_MIN_LENGTH = 10;

function wordsOf(text: string): string[] {
  return foldCase(text.normalize('NFKC'))
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
}

/** franc's ISO 639-3 code as the primary subtag workflows use (`spa` -> `es`), by Intl's aliases. */
function primaryOfIso3(code: string): string | undefined {
  try {
    const canonical = Intl.getCanonicalLocales(code)[0];
    return canonical === undefined ? undefined : primaryLanguage(canonical);
  } catch {
    return undefined;
  }
}

/** franc's scores (1 for the nearest, less for the others) among `candidates`' primary languages. */
function francScores(text: string, candidates: readonly string[]): Map<string, number> {
  const scores = new Map<string, number>();
  if (text.replace(/[^\p{L}]/gu, '').length < FRANC_MIN_LENGTH) return scores;
  // francAll answers every language of the text's script; asked again with only the workflow's,
  // its scores compare those alone.
  const only = francAll(text)
    .map(([code]) => code)
    .filter((code) => {
      const primary = primaryOfIso3(code);
      return primary !== undefined && candidates.includes(primary);
    });
  if (only.length === 0) return scores;
  for (const [code, score] of francAll(text, { only })) {
    const primary = primaryOfIso3(code);
    if (primary !== undefined && !scores.has(primary)) scores.set(primary, score);
  }
  return scores;
}

/**
 * The language of `text` among `languages` (the workflow's tags; the answer is one of them), or
 * undefined when nothing tells them apart. Each language scores its cue words and keywords found
 * in the message (a word claimed by several languages split among them) plus franc's score; the
 * unique best wins. `keywords`: the workflow's own keywords per language (route and hand-off
 * keywords given as maps by language).
 */
export function detectLanguage(
  text: string,
  languages: readonly string[],
  keywords: ReadonlyMap<string, readonly string[]> = new Map(),
): string | undefined {
  if (languages.length === 0) return undefined;
  if (languages.length === 1) return languages[0];
  const primaries = [...new Set(languages.map(primaryLanguage))];
  const claims = new Map<string, Set<string>>();
  const claim = (word: string, primary: string) => {
    const holders = claims.get(word) ?? new Set<string>();
    holders.add(primary);
    claims.set(word, holders);
  };
  for (const primary of primaries) for (const word of CUE_WORDS[primary] ?? []) claim(word, primary);
  for (const [language, list] of keywords) {
    const primary = primaryLanguage(language);
    if (!primaries.includes(primary)) continue;
    for (const keyword of list) for (const word of wordsOf(keyword)) claim(word, primary);
  }
  const scores = new Map<string, number>(primaries.map((primary) => [primary, 0]));
  for (const word of new Set(wordsOf(text))) {
    const holders = claims.get(word);
    if (!holders) continue;
    for (const primary of holders) scores.set(primary, (scores.get(primary) ?? 0) + 1 / holders.size);
  }
  for (const [primary, score] of francScores(text, primaries))
    scores.set(primary, (scores.get(primary) ?? 0) + score);
  const ranked = [...scores].sort((a, b) => b[1] - a[1]);
  const [best, second] = ranked;
  if (!best || best[1] === 0 || (second && second[1] === best[1])) return undefined;
  return languages.find((language) => primaryLanguage(language) === best[0]);
}
