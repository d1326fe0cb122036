import { countSegments } from '../segments';
import { isMultilingual, languagesOf } from '../language/languages';
import { type LocalizedField, localizedFields } from '../language/localized-fields';
import { languagesNamed, type LocalizedText, textIn } from '../language/localized-text';
import type { Workflow } from './definition';
import type { LintReport } from './lint';

/**
 * `workflow lint` for the workflow's languages (issue 19): every language has its texts, and what
 * UCS-2 costs each language. A map by language that lacks one of `languages` is an error naming the
 * path and the language (the conversation would get the default language's text); a language with
 * no text of its own anywhere is one too. A text that needs UCS-2 (a character outside GSM-7:
 * "¿", "á", "ç", emoji) fits 70 characters a segment instead of 160: a warning per text and
 * language, naming the characters and the segments, for workflows that declare `languages`.
 */
export function lintLanguages(workflow: Workflow): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const languages = languagesOf(workflow);
  const [defaultLanguage] = languages;
  const fields = localizedFields(workflow);
  const named = new Set<string>();
  for (const field of fields) {
    if (field.languages === undefined || field.kind === 'locale') continue;
    for (const language of field.languages) named.add(language);
    for (const language of languages) {
      if (field.languages.includes(language)) continue;
      const what = field.kind === 'list' ? 'no list' : 'no text';
      errors.push(
        `${field.label}: ${what} in ${language} (a conversation in ${language} would get the ${defaultLanguage} one)`,
      );
    }
  }
  if (isMultilingual(workflow))
    for (const language of languages.slice(1))
      if (!named.has(language))
        errors.push(
          `languages: ${language} has no text of its own (every text is the same in every language); give texts as maps by language`,
        );
  if (workflow.languages !== undefined) warnings.push(...ucs2Warnings(workflow, fields));
  return { errors, warnings };
}

/**
 * What UCS-2 costs each language: a text that takes more segments than it would with its accents
 * dropped (GSM-7) is named with its segments; the others that need UCS-2 are counted per language
 * in one line (they fit their segments anyway, at 70 characters a segment instead of 160).
 */
function ucs2Warnings(workflow: Workflow, fields: readonly LocalizedField[]): string[] {
  const warnings: string[] = [];
  const fitting = new Map<string, { texts: number; characters: Set<string> }>();
  for (const field of fields) {
    if (field.kind !== 'text') continue;
    const text = field.value as LocalizedText;
    // A plain string is one text in every language: measured once.
    const inLanguages = languagesNamed(text) === undefined ? [undefined] : languagesOf(workflow);
    for (const language of inLanguages) {
      const body = textIn(text, language, workflow);
      const count = countSegments(body);
      if (count.encoding !== 'UCS-2') continue;
      const outside = ucs2Characters(body);
      const tag = language === undefined ? '' : `[${language}] `;
      const asGsm = countSegments(withoutUcs2(body));
      if (count.segments > asGsm.segments) {
        warnings.push(
          `${tag}${field.label}: ${count.segments} segments in UCS-2 for ${quoted(outside)} (70 characters a segment instead of 160); ${asGsm.segments} without them`,
        );
        continue;
      }
      const key = language ?? 'every language';
      const entry = fitting.get(key) ?? { texts: 0, characters: new Set<string>() };
      entry.texts += 1;
      for (const char of outside) entry.characters.add(char);
      fitting.set(key, entry);
    }
  }
  for (const [language, entry] of fitting)
    warnings.push(
      `[${language}] ${entry.texts} text${entry.texts === 1 ? '' : 's'} need${entry.texts === 1 ? 's' : ''} UCS-2 for ${quoted([...entry.characters])} (70 characters a segment instead of 160), each still in its segments`,
    );
  return warnings;
}

/** The text with its accents dropped and any other character GSM-7 lacks as "?": what GSM-7 would send. */
function withoutUcs2(text: string): string {
  return [...text]
    .map((char) => {
      if (countSegments(char).encoding === 'GSM-7') return char;
      const plain = char.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
      return countSegments(plain).encoding === 'GSM-7' ? plain : '?';
    })
    .join('');
}

function quoted(characters: readonly string[]): string {
  const shown = characters.slice(0, 5).map((char) => `"${char}"`);
  return characters.length > 5 ? `${shown.join(', ')} and ${characters.length - 5} more` : shown.join(', ');
}

/** The characters of `text` that GSM-7 lacks. */
function ucs2Characters(text: string): string[] {
  return [...new Set([...text].filter((char) => countSegments(char).encoding === 'UCS-2'))];
}

/**
 * The lint report of a workflow: one pass per language (`pass`), merged. A finding of every
 * language's pass is reported once, as it is; one of some languages only is reported for each of
 * them, tagged `[es] ...`. Replies are measured in each language, each with its language (a workflow
 * of one language reports as it always did).
 */
export function mergeLanguagePasses(
  workflow: Workflow,
  pass: (language: string) => LintReport,
  languageReport: { errors: string[]; warnings: string[] },
): LintReport {
  const languages = languagesOf(workflow);
  if (!isMultilingual(workflow)) {
    const only = pass(languages[0] as string);
    return {
      errors: [...languageReport.errors, ...only.errors],
      warnings: [...only.warnings, ...languageReport.warnings],
      replies: only.replies,
    };
  }
  const passes = languages.map((language) => ({ language, report: pass(language) }));
  const merge = (pick: (report: LintReport) => string[]): string[] => {
    const merged: string[] = [];
    const seen = new Set<string>();
    for (const { report } of passes)
      for (const finding of pick(report)) {
        if (seen.has(finding)) continue;
        seen.add(finding);
        const speaking = passes.filter((other) => pick(other.report).includes(finding));
        if (speaking.length === passes.length) merged.push(finding);
        else for (const { language } of speaking) merged.push(`[${language}] ${finding}`);
      }
    return merged;
  };
  return {
    errors: [...languageReport.errors, ...merge((report) => report.errors)],
    warnings: [...merge((report) => report.warnings), ...languageReport.warnings],
    replies: passes.flatMap(({ language, report }) =>
      report.replies.map((reply) => ({ ...reply, language })),
    ),
  };
}
