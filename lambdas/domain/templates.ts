/**
 * Reply templates. Accepts `{{name}}` and the seed systems' forms `${attr}`, `{{entity:name}}`,
 * `{{vrbl:NAME}}`. Values are inserted as plain text in one pass, so a customer's answer that
 * itself looks like a template is never expanded.
 */
const TOKEN =
  /\{\{\s*(?:(?:entity|vrbl):)?([A-Za-z_][A-Za-z0-9_]*)\s*\}\}|\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}/g;

export function templateVariables(template: string): string[] {
  return [...template.matchAll(TOKEN)].map((match) => (match[1] ?? match[2]) as string);
}

export function renderTemplate(template: string, variables: Readonly<Record<string, string>>): string {
  return template.replace(TOKEN, (token, braced: string | undefined, dollar: string | undefined) => {
    const name = (braced ?? dollar) as string;
    return variables[name] ?? variables[name.toLowerCase()] ?? token;
  });
}
