import { renderTemplate } from '../templates';
import type { Workflow, WorkflowRoute, WorkflowVariable } from './definition';
import { localDate } from './extract/dates';
import { localeFor } from '../language/locale';

/** Dates and times are stored as ISO values and shown to customers in the conversation language's locale. */
export { DEFAULT_LOCALE } from '../language/locale';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Intl formatters are costly to build and a turn renders a few values: one per locale and shape. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let cached = formatters.get(key);
  if (!cached) {
    cached = new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' });
    formatters.set(key, cached);
  }
  return cached;
}

/**
 * "Friday, December 4" (with the year when it is not this year's: "Monday, January 4, 2027").
 * The date is a calendar day, not an instant: it is formatted in UTC, where it was built.
 */
export function renderDate(iso: string, locale: string, todayYear: number): string {
  const match = ISO_DATE.exec(iso);
  if (!match) return iso;
  const year = Number(match[1]);
  const day = new Date(Date.UTC(year, Number(match[2]) - 1, Number(match[3])));
  return formatter(locale, {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    ...(year === todayYear ? {} : { year: 'numeric' }),
  }).format(day);
}

/** "3:00 PM" in en-US, "15:00" in de-DE: the locale's own clock. */
export function renderTime(hhmm: string, locale: string): string {
  const match = HH_MM.exec(hhmm);
  if (!match) return hhmm;
  return formatter(locale, { hour: 'numeric', minute: '2-digit' }).format(
    new Date(Date.UTC(2000, 0, 1, Number(match[1]), Number(match[2]))),
  );
}

/**
 * Renders a workflow text for a customer: date and time variables of `route` for people, in the
 * locale of the conversation's language (language/locale.ts; default en-US); `{{name:iso}}` and every other value as stored. Variables,
 * completion webhooks and the API keep the stored (ISO) values.
 */
export function renderForCustomer(
  template: string,
  variables: Readonly<Record<string, string>>,
  context: {
    workflow: Workflow;
    route: WorkflowRoute | undefined;
    now: Date;
    /** The conversation's language (default: the workflow's default): its locale shows dates and times. */
    language?: string;
  },
): string {
  const types = new Map<string, WorkflowVariable['type']>(
    (context.route?.mandatoryVariables ?? []).map((variable) => [variable.name, variable.type]),
  );
  const locale = localeFor(context.workflow, context.language);
  let todayYear: number | undefined;
  return renderTemplate(template, variables, (name, value) => {
    const type = types.get(name) ?? types.get(name.toLowerCase());
    if (type === 'time') return renderTime(value, locale);
    if (type !== 'date') return value;
    todayYear ??= localDate(context.now, context.workflow.timeZone ?? 'UTC').year;
    return renderDate(value, locale, todayYear);
  });
}
