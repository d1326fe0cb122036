import { extractLanguage, type ExtractLanguage } from './language';

/**
 * The reasons the extractors give when an answer cannot be read or is refused, in every language
 * they read. English is the text they always gave. Re-prompts put the reason before the question,
 * so each is one short sentence.
 */

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The label of a variable in a reason: `order_number` -> "order number", `issueDescription` -> "issue description". */
export function variableLabel(name: string): string {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/_+/g, ' ')
    .trim()
    .toLowerCase();
}

export const REASONS = {
  dateUnreadable: {
    en: "I couldn't read a date in that (for example: December 10th or 12/10).",
    es: 'No pude leer una fecha (por ejemplo: 10 de diciembre o 10/12).',
    fr: "Je n'ai pas compris la date (par exemple : 10 décembre ou 10/12).",
    pt: 'Não consegui ler uma data (por exemplo: 10 de dezembro ou 10/12).',
    de: 'Ich konnte kein Datum erkennen (zum Beispiel: 10. Dezember oder 10.12.).',
  },
  dateFuture: {
    en: 'That date is still to come.',
    es: 'Esa fecha todavía no ha llegado.',
    fr: "Cette date n'est pas encore passée.",
    pt: 'Essa data ainda não chegou.',
    de: 'Dieses Datum liegt noch in der Zukunft.',
  },
  datePast: {
    en: 'That day has already passed.',
    es: 'Ese día ya pasó.',
    fr: 'Ce jour est déjà passé.',
    pt: 'Esse dia já passou.',
    de: 'Dieser Tag ist schon vorbei.',
  },
  dateMin: {
    en: (min: number) =>
      min === 0
        ? 'Please pick a day from today on.'
        : min > 0
          ? `Please pick a day at least ${plural(min, 'day', 'days')} from now.`
          : `That's too far back: please pick a day in the last ${plural(-min, 'day', 'days')}.`,
    es: (min: number) =>
      min === 0
        ? 'Elige un día a partir de hoy.'
        : min > 0
          ? `Elige un día dentro de al menos ${plural(min, 'día', 'días')}.`
          : `Es demasiado atrás: elige un día de los últimos ${plural(-min, 'día', 'días')}.`,
    fr: (min: number) =>
      min === 0
        ? "Choisissez un jour à partir d'aujourd'hui."
        : min > 0
          ? `Choisissez un jour dans au moins ${plural(min, 'jour', 'jours')}.`
          : `C'est trop ancien : choisissez un jour dans les ${plural(-min, 'dernier jour', 'derniers jours')}.`,
    pt: (min: number) =>
      min === 0
        ? 'Escolha um dia a partir de hoje.'
        : min > 0
          ? `Escolha um dia daqui a pelo menos ${plural(min, 'dia', 'dias')}.`
          : `É muito antigo: escolha um dia dos últimos ${plural(-min, 'dia', 'dias')}.`,
    de: (min: number) =>
      min === 0
        ? 'Bitte wählen Sie einen Tag ab heute.'
        : min > 0
          ? `Bitte wählen Sie einen Tag in frühestens ${plural(min, 'Tag', 'Tagen')}.`
          : `Das ist zu lange her: Bitte wählen Sie einen Tag in den letzten ${plural(-min, 'Tag', 'Tagen')}.`,
  },
  dateMax: {
    en: (max: number) =>
      max === 0
        ? 'Please pick a day no later than today.'
        : max > 0
          ? `Please pick a day within the next ${plural(max, 'day', 'days')}.`
          : `That's too recent: please pick a day at least ${plural(-max, 'day', 'days')} ago.`,
    es: (max: number) =>
      max === 0
        ? 'Elige un día que no sea posterior a hoy.'
        : max > 0
          ? `Elige un día dentro de los próximos ${plural(max, 'día', 'días')}.`
          : `Es demasiado reciente: elige un día de hace al menos ${plural(-max, 'día', 'días')}.`,
    fr: (max: number) =>
      max === 0
        ? "Choisissez un jour qui ne dépasse pas aujourd'hui."
        : max > 0
          ? `Choisissez un jour dans les ${plural(max, 'prochain jour', 'prochains jours')}.`
          : `C'est trop récent : choisissez un jour d'il y a au moins ${plural(-max, 'jour', 'jours')}.`,
    pt: (max: number) =>
      max === 0
        ? 'Escolha um dia até hoje.'
        : max > 0
          ? `Escolha um dia nos próximos ${plural(max, 'dia', 'dias')}.`
          : `É muito recente: escolha um dia de pelo menos ${plural(-max, 'dia', 'dias')} atrás.`,
    de: (max: number) =>
      max === 0
        ? 'Bitte wählen Sie einen Tag bis spätestens heute.'
        : max > 0
          ? `Bitte wählen Sie einen Tag in den nächsten ${plural(max, 'Tag', 'Tagen')}.`
          : `Das ist zu kurz her: Bitte wählen Sie einen Tag vor mindestens ${plural(-max, 'Tag', 'Tagen')}.`,
  },
  time: {
    en: "I couldn't read a time in that (for example: 3pm or 15:30).",
    es: 'No pude leer una hora (por ejemplo: 3 de la tarde o 15:30).',
    fr: "Je n'ai pas compris l'heure (par exemple : 15h ou 15h30).",
    pt: 'Não consegui ler um horário (por exemplo: 3 da tarde ou 15:30).',
    de: 'Ich konnte keine Uhrzeit erkennen (zum Beispiel: 15 Uhr oder 15:30).',
  },
  number: {
    en: 'Please reply with a number.',
    es: 'Por favor, responde con un número.',
    fr: 'Merci de répondre avec un nombre.',
    pt: 'Por favor, responda com um número.',
    de: 'Bitte antworten Sie mit einer Zahl.',
  },
  email: {
    en: "That doesn't look like an email address (e.g. name@example.com).",
    es: 'Eso no parece un correo electrónico (p. ej. nombre@ejemplo.com).',
    fr: 'Cela ne ressemble pas à une adresse e-mail (ex. nom@exemple.com).',
    pt: 'Isso não parece um e-mail (ex.: nome@exemplo.com).',
    de: 'Das sieht nicht wie eine E-Mail-Adresse aus (z. B. name@beispiel.de).',
  },
  phone: {
    en: "That doesn't look like a phone number (with the area code, or + and country code).",
    es: 'Eso no parece un número de teléfono (con el código de área, o + y el código de país).',
    fr: "Cela ne ressemble pas à un numéro de téléphone (avec l'indicatif, ou + et le code pays).",
    pt: 'Isso não parece um número de telefone (com o DDD, ou + e o código do país).',
    de: 'Das sieht nicht wie eine Telefonnummer aus (mit Vorwahl, oder + und Ländervorwahl).',
  },
  yesNo: {
    en: 'Please reply YES or NO.',
    es: 'Por favor, responde SÍ o NO.',
    fr: 'Merci de répondre OUI ou NON.',
    pt: 'Por favor, responda SIM ou NÃO.',
    de: 'Bitte antworten Sie mit JA oder NEIN.',
  },
  choice: {
    en: (options: readonly string[]) => `Please reply with one of: ${options.join(', ')}.`,
    es: (options: readonly string[]) =>
      `Por favor, responde con una de estas opciones: ${options.join(', ')}.`,
    fr: (options: readonly string[]) => `Merci de répondre par l'une de ces options : ${options.join(', ')}.`,
    pt: (options: readonly string[]) => `Por favor, responda com uma destas opções: ${options.join(', ')}.`,
    de: (options: readonly string[]) =>
      `Bitte antworten Sie mit einer dieser Optionen: ${options.join(', ')}.`,
  },
  text: {
    en: (label: string) => `Please reply with your ${label}.`,
    es: (label: string) => `Por favor, responde con: ${label}.`,
    fr: (label: string) => `Merci de répondre avec : ${label}.`,
    pt: (label: string) => `Por favor, responda com: ${label}.`,
    de: (label: string) => `Bitte antworten Sie mit: ${label}.`,
  },
  pattern: {
    en: (label: string, digits?: number) =>
      `That doesn't look like ${/^[aeiou]/.test(label) ? 'an' : 'a'} ${label}${digits === undefined ? '' : ` (${digits} digits)`}.`,
    es: (label: string, digits?: number) =>
      `Eso no parece válido para ${label}${digits === undefined ? '' : ` (${digits} dígitos)`}.`,
    fr: (label: string, digits?: number) =>
      `Cela ne semble pas valide pour ${label}${digits === undefined ? '' : ` (${digits} chiffres)`}.`,
    pt: (label: string, digits?: number) =>
      `Isso não parece válido para ${label}${digits === undefined ? '' : ` (${digits} dígitos)`}.`,
    de: (label: string, digits?: number) =>
      `Das scheint für ${label} nicht gültig zu sein${digits === undefined ? '' : ` (${digits} Ziffern)`}.`,
  },
} as const satisfies Record<string, Record<ExtractLanguage, string | ((...args: never[]) => string)>>;

export type ReasonId = keyof typeof REASONS;

type Texts<Id extends ReasonId> = (typeof REASONS)[Id];
type Text<Id extends ReasonId> = Texts<Id>[ExtractLanguage];

/** The reason `id` in `language` (any tag; unsupported languages get English), filled with `args`. */
export function reason<Id extends ReasonId>(
  id: Id,
  language: string | undefined,
  ...args: Text<Id> extends (...a: infer A) => string ? A : []
): string {
  const text = REASONS[id][extractLanguage(language)] as string | ((...a: unknown[]) => string);
  return typeof text === 'string' ? text : text(...args);
}
