import { z } from 'zod';
import { canonicalLanguageTag, DEFAULT_LANGUAGES, languagesOf } from '../language/languages';
import { localizedFields } from '../language/localized-fields';

/**
 * The zod side of workflow languages (issue 19): `languages`, texts and lists given per language,
 * and the check of every map against `languages`. definition.ts uses these; the engine reads the
 * parsed values through language/localized-text.ts.
 */

export const LANGUAGE_LIMITS = { languages: 10, tag: 35 } as const;

/** A map's key: a BCP 47 language tag in its canonical form. */
const languageKey = z
  .string()
  .max(LANGUAGE_LIMITS.tag)
  .superRefine((tag, context) => {
    const problem = languageTagProblem(tag);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

/** Why `tag` is not a language tag a workflow may use; undefined when it is one. */
export function languageTagProblem(tag: string): string | undefined {
  const canonical = canonicalLanguageTag(tag);
  if (canonical === undefined)
    return `"${tag}" is not a BCP 47 language tag (a language code such as en, es or pt-BR)`;
  if (canonical !== tag) return `write the language tag "${tag}" as "${canonical}"`;
  return undefined;
}

/** A text given once for every language, or as a map by language (`{"en": "...", "es": "..."}`). */
export function localized<T extends z.ZodType<string>>(text: T) {
  return z.union([text, z.record(languageKey, text)]);
}

/** A list given once for every language, or as a map by language (`{"en": [...], "es": [...]}`). */
export function localizedList<T extends z.ZodType<string[]>>(list: T) {
  return z.union([list, z.record(languageKey, list)]);
}

/** `languages`: the workflow's languages, the first the default; default `["en"]`. */
export const languagesSchema = z
  .array(
    z
      .string()
      .max(LANGUAGE_LIMITS.tag)
      .superRefine((tag, context) => {
        const problem = languageTagProblem(tag);
        if (problem) context.addIssue({ code: 'custom', message: problem });
      }),
  )
  .min(1, 'languages names at least one language (the first is the default)')
  .max(LANGUAGE_LIMITS.languages)
  .superRefine((languages, context) => {
    languages.forEach((language, index) => {
      if (languages.indexOf(language) !== index)
        context.addIssue({ code: 'custom', path: [index], message: `"${language}" is listed twice` });
    });
  })
  .optional();

/**
 * Every map by language of the workflow names only languages of `languages` and holds the default
 * language (the text every language falls back to). A language the map lacks otherwise falls back
 * to the default's text, and `workflow lint` fails on it.
 */
export function checkLocalizedMaps(
  workflow: { readonly languages?: readonly string[] },
  context: z.core.$RefinementCtx,
): void {
  const languages = languagesOf(workflow);
  const declared =
    workflow.languages === undefined ? ` (no languages field: ${JSON.stringify(DEFAULT_LANGUAGES)})` : '';
  const [defaultLanguage] = languages;
  for (const field of localizedFields(workflow as Parameters<typeof localizedFields>[0])) {
    if (field.languages === undefined) continue;
    for (const language of field.languages) {
      if (!languages.includes(language) && canonicalLanguageTag(language) === language)
        context.addIssue({
          code: 'custom',
          path: [...field.path, language],
          message: `"${language}" is not one of the workflow's languages ${JSON.stringify(languages)}${declared}`,
        });
    }
    if (defaultLanguage !== undefined && !field.languages.includes(defaultLanguage))
      context.addIssue({
        code: 'custom',
        path: [...field.path],
        message: `the map by language lacks the default language "${defaultLanguage}" (the first of languages), which every other language falls back to`,
      });
  }
}

type Issue = z.core.$ZodIssue;

/**
 * A readable account of the issues a text-or-map-by-language raises, or undefined for any other
 * issue. zod reports a union that fails as "Invalid input" with each branch's issues: the branch
 * the value's own type chose (a string, or a map) is the one that says what is wrong; a value of
 * neither type is named as such. A map's key that is not a language tag is named with its path.
 */
export function describeLocalizedIssue(
  issue: Issue,
  describe: (inner: Issue) => string[],
): string[] | undefined {
  const at = (path: readonly PropertyKey[]) => path.map(String).join('.') || '(root)';
  if (issue.code === 'invalid_key') return issue.issues.map((inner) => `${at(issue.path)}: ${inner.message}`);
  if (issue.code !== 'invalid_union') return undefined;
  const chosen = issue.errors.filter(
    (branch) => !(branch.length === 1 && branch[0]?.code === 'invalid_type' && branch[0].path.length === 0),
  );
  if (chosen.length === 1)
    return (chosen[0] ?? []).flatMap((inner) => describe({ ...inner, path: [...issue.path, ...inner.path] }));
  const expected = issue.errors.flatMap((branch) =>
    branch[0]?.code === 'invalid_type' ? [branch[0].expected] : [],
  );
  if (expected.length !== issue.errors.length) return undefined;
  const names = expected.map((type) => (type === 'record' ? 'a map by language' : `a ${type}`));
  return [`${at(issue.path)}: expected ${names.join(' or ')}`];
}
