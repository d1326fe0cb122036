import type { Workflow } from '../workflow/definition';
import { languagesNamed, type LocalizedList, type LocalizedText } from './localized-text';

/**
 * Every field of a workflow that may be given per language: the texts a customer can be sent, the
 * keyword and pattern lists, and `locale`. One walk for the schema's check (maps against
 * `languages`) and for `workflow lint` (a language a map lacks; UCS-2 costs per language).
 */
export interface LocalizedField {
  /** The field's path in the definition, with indexes: `routes.0.mandatoryVariables.1.prompt`. */
  readonly path: readonly (string | number)[];
  /** The same path as `workflow lint` names it, with route ids and variable names. */
  readonly label: string;
  readonly kind: 'text' | 'list' | 'locale';
  readonly value: LocalizedText | LocalizedList;
  /** The languages of a map by language; undefined for a value given once for every language. */
  readonly languages: string[] | undefined;
}

type Fieldable = Pick<
  Workflow,
  | 'greeting'
  | 'fallback'
  | 'failureMessage'
  | 'help'
  | 'optOutConfirmation'
  | 'optInConfirmation'
  | 'handoff'
  | 'handoffKeywords'
  | 'locale'
  | 'routes'
>;

export function localizedFields(workflow: Fieldable): LocalizedField[] {
  const fields: LocalizedField[] = [];
  const add = (
    path: (string | number)[],
    label: string,
    kind: LocalizedField['kind'],
    value: LocalizedText | LocalizedList | undefined,
  ) => {
    if (value === undefined) return;
    fields.push({ path, label, kind, value, languages: languagesNamed(value) });
  };
  add(['greeting'], 'greeting', 'text', workflow.greeting);
  add(['fallback', 'reply'], 'fallback.reply', 'text', workflow.fallback?.reply);
  add(['failureMessage'], 'failureMessage', 'text', workflow.failureMessage);
  add(['help'], 'help', 'text', workflow.help);
  add(['optOutConfirmation'], 'optOutConfirmation', 'text', workflow.optOutConfirmation);
  add(['optInConfirmation'], 'optInConfirmation', 'text', workflow.optInConfirmation);
  add(['handoff', 'reply'], 'handoff.reply', 'text', workflow.handoff?.reply);
  add(['handoffKeywords'], 'handoffKeywords', 'list', workflow.handoffKeywords);
  add(['locale'], 'locale', 'locale', workflow.locale);
  (workflow.routes ?? []).forEach((route, routeIndex) => {
    const at = ['routes', routeIndex];
    const label = `routes.${route.id}`;
    add([...at, 'match', 'keywords'], `${label}.match.keywords`, 'list', route.match?.keywords);
    add([...at, 'match', 'patterns'], `${label}.match.patterns`, 'list', route.match?.patterns);
    add([...at, 'onComplete', 'reply'], `${label}.onComplete.reply`, 'text', route.onComplete?.reply);
    (route.reminders ?? []).forEach((reminder, index) =>
      add([...at, 'reminders', index, 'reply'], `${label}.reminders.${index}.reply`, 'text', reminder.reply),
    );
    (route.mandatoryVariables ?? []).forEach((variable, index) => {
      const path = [...at, 'mandatoryVariables', index];
      const named = `${label}.mandatoryVariables.${variable.name}`;
      add([...path, 'prompt'], `${named}.prompt`, 'text', variable.prompt);
      add([...path, 'invalidMessage'], `${named}.invalidMessage`, 'text', variable.invalidMessage);
      if (variable.type === 'yesno' && variable.onNo)
        add([...path, 'onNo', 'reply'], `${named}.onNo.reply`, 'text', variable.onNo.reply);
    });
  });
  return fields;
}
