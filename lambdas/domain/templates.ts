/**
 * Reply templates. Accepts `{{name}}` and the seed systems' forms `${attr}`, `{{entity:name}}`,
 * `{{vrbl:NAME}}`; `{{name:iso}}` asks for the stored value rather than its rendering for people.
 * Values are inserted as plain text in one pass, so a customer's answer that itself looks like a
 * template is never expanded.
 */
const TOKEN =
  /\{\{\s*(?:(?:entity|vrbl):)?([A-Za-z_][A-Za-z0-9_]*)(:iso)?\s*\}\}|\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}/g;

/**
 * Replaces every token with `replace(name, iso)`; a token for which it returns undefined stays as
 * written. The one reading of the token syntax: rendering and `lint`'s worst-case lengths use it.
 */
export function replaceTokens(
  template: string,
  replace: (name: string, iso: boolean) => string | undefined,
): string {
  return template.replace(
    TOKEN,
    (token, braced: string | undefined, iso: string | undefined, dollar: string | undefined) =>
      replace((braced ?? dollar) as string, iso !== undefined) ?? token,
  );
}

export function templateVariables(template: string): string[] {
  return [...template.matchAll(TOKEN)].map((match) => (match[1] ?? match[3]) as string);
}

/** How a value is shown in a reply (a date as "Friday, December 4"); the stored value by default. */
export type ValueFormatter = (name: string, value: string) => string;

/** Only the variables' own entries: a name like `constructor` never reaches Object.prototype. */
function valueOf(variables: Readonly<Record<string, string>>, name: string): string | undefined {
  if (Object.hasOwn(variables, name)) return variables[name];
  const lower = name.toLowerCase();
  return Object.hasOwn(variables, lower) ? variables[lower] : undefined;
}

export function renderTemplate(
  template: string,
  variables: Readonly<Record<string, string>>,
  format?: ValueFormatter,
): string {
  return replaceTokens(template, (name, iso) => {
    const value = valueOf(variables, name);
    if (value === undefined) return undefined;
    return iso || !format ? value : format(name, value);
  });
}
