import type { DateLanguage } from './language';

/**
 * What chrono-node's locale parsers miss in answers as customers text them, per language, and the
 * few rewrites that let chrono read them. All patterns run on folded text (lower case, no accents).
 */
export interface DateWords {
  /**
   * Texting spellings and missing accents rewritten before chrono reads the message ("mñn" ->
   * "mañana", "terca" -> "terça"); they run on the message as written (see `spelling`).
   */
  readonly spellings: readonly (readonly [RegExp, string])[];
  /** Days relative to today chrono does not read ("pasado mañana": 2); with `(\d+)`, that many days. */
  readonly relative: readonly (readonly [RegExp, number])[];
  /** Words that put a weekday in the coming week, the last one or this one ("el martes que viene"). */
  readonly next: RegExp;
  readonly last: RegExp;
  readonly current: RegExp;
  /** A bare day of the month ("el 28", "le 1er", "dia 28", "am 28."): group 1 is the day. */
  readonly dayOfMonth?: RegExp;
  /** A week, month or year: with a `next`/`last`/`current` word it is a span, not a day ("la semaine dernière"). */
  readonly span: RegExp;
  /** Month names by number, for rewriting "10.12." as "10. Dezember" (chrono's `de` reads no "10.12."). */
  readonly months?: readonly string[];
}

/** Days "N days ago" / "in N days": the sign is given by the table's number (-1 or 1). */
const DAYS =
  '(\\d{1,3}|un|una|uno|dos|tres|cuatro|cinco|um|uma|dois|duas|tres|quatro|cinco|deux|trois|quatre|cinq)';

/** A whole word or phrase of the message as written, whatever its case and accents around it. */
function spelling(source: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${source})(?![\\p{L}\\p{N}])`, 'giu');
}

export const NUMBER_OF_DAYS: Readonly<Record<string, number>> = {
  un: 1,
  una: 1,
  uno: 1,
  um: 1,
  uma: 1,
  dos: 2,
  dois: 2,
  duas: 2,
  deux: 2,
  tres: 3,
  trois: 3,
  cuatro: 4,
  quatro: 4,
  quatre: 4,
  cinco: 5,
  cinq: 5,
};

export const DATE_WORDS: Readonly<Record<Exclude<DateLanguage, 'en'>, DateWords>> = {
  es: {
    spellings: [
      [spelling('mñn|mnn|mna|mañna|manan|mañan|mnana|mñna'), 'mañana'],
      [spelling('oy|hoi'), 'hoy'],
      [spelling('ayr|ayef'), 'ayer'],
    ],
    relative: [
      [/\bpasado\s*manana\b/, 2],
      [/\b(?:anteayer|antier|antes\s+de\s*ayer)\b/, -2],
      [new RegExp(`\\bhace\\s+${DAYS}\\s+dias?\\b`), -1],
      [new RegExp(`\\bhace\\s+${DAYS}\\s+semanas?\\b`), -7],
      [new RegExp(`\\b(?:dentro\\s+de|en)\\s+${DAYS}\\s+dias?\\b`), 1],
    ],
    next: /\b(?:proxim[oa]|siguiente|que\s+viene|entrante)\b/,
    last: /\b(?:pasad[oa]|anterior|ultimo|ultima)\b/,
    current: /\b(?:este|esta|est[ea]\s+mism[oa])\b/,
    span: /\b(?:semana|fin\s+de\s+semana|finde|mes|ano)\b/,
    dayOfMonth:
      /\b(?:el|dia|para\s+el)\s+(?:(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo)\s+)?(?:dia\s+)?(\d{1,2})(?:\s*(?:o|º|ro))?\b(?!\s*(?:de\s+[a-z]|[:h./]\d|personas?|pax|opcion|horas?|y\s+media|am|pm))/,
  },
  fr: {
    spellings: [
      [spelling('aujourdhui|aujourd hui|auj|ajd|ajrd'), "aujourd'hui"],
      [spelling('dem1|dmain|dmn'), 'demain'],
    ],
    relative: [
      [/\bapres[\s-]*demain\b/, 2],
      [/\bavant[\s-]*hier\b/, -2],
    ],
    next: /\b(?:prochaine?|suivante?|qui\s+vient)\b/,
    last: /\b(?:derniere?|passee?|precedente?)\b/,
    current: /\b(?:ce|cette)\b/,
    span: /\b(?:semaine|week-end|weekend|mois|annee)\b/,
    dayOfMonth:
      /\b(?:le|pour\s+le)\s+(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?(\d{1,2})(?:\s*(?:er|e|eme))?\b(?!\s*(?:[a-z]{3,}\s+\d{4}|[:h./]\d|h\b|heures?|personnes?|janv|fevr|mars|avr|mai|juin|juil|aout|sept|oct|nov|dec))/,
  },
  pt: {
    spellings: [
      [spelling('amnh|amanh|amanha|amnha|amanham|amanhaa'), 'amanhã'],
      [spelling('terca'), 'terça'],
      [spelling('marco'), 'março'],
      [spelling('hj|hje|hoj'), 'hoje'],
      [spelling('ontm|onti'), 'ontem'],
    ],
    relative: [
      [/\bdepois\s+de\s+amanha\b/, 2],
      [/\b(?:anteontem|antes\s+de\s+ontem)\b/, -2],
      [new RegExp(`\\b(?:ha|faz)\\s+${DAYS}\\s+dias?\\b`), -1],
      [new RegExp(`\\b(?:ha|faz)\\s+${DAYS}\\s+semanas?\\b`), -7],
      [new RegExp(`\\b(?:daqui\\s+a|em)\\s+${DAYS}\\s+dias?\\b`), 1],
    ],
    next: /\b(?:proxim[oa]|seguinte|que\s+vem)\b/,
    last: /\b(?:passad[oa]|anterior|ultim[oa])\b/,
    current: /\b(?:est[ea]|ness[ea]|nest[ea])\b/,
    span: /\b(?:semana|fim\s+de\s+semana|mes|ano)\b/,
    dayOfMonth:
      /\b(?:dia|no\s+dia|pro\s+dia|para\s+o\s+dia)\s+(\d{1,2})(?:\s*(?:o|º))?\b(?!\s*(?:de\s+[a-z]|[:h./]\d|pessoas?|horas?|e\s+meia|am|pm))/,
  },
  de: {
    spellings: [
      // "morgen früh" is tomorrow morning; chrono reads "fr" of "früh" as Friday.
      [spelling('früh|fruh|frueh'), ' '],
      [spelling('morgn'), 'morgen'],
      [spelling('marz|maerz'), 'märz'],
      [spelling('heut'), 'heute'],
    ],
    relative: [
      [/\b(?:ubermorgen|uebermorgen)\b/, 2],
      [/\bvorgestern\b/, -2],
    ],
    next: /\b(?:nachste[nmrs]?|naechste[nmrs]?|kommende[nmrs]?)\b/,
    last: /\b(?:letzte[nmrs]?|vergangene[nmrs]?|vorige[nmrs]?)\b/,
    current: /\b(?:diese[nmrs]?)\b/,
    span: /\b(?:woche|wochenende|monat|jahr)\b/,
    dayOfMonth: /\b(?:am|den|zum|bis\s+zum)\s+(\d{1,2})(?:\.|ten|sten|ter)(?!\s*\d|\s*[a-z]{3,}\s*(?:\d|$))/,
    months: [
      'januar',
      'februar',
      'marz',
      'april',
      'mai',
      'juni',
      'juli',
      'august',
      'september',
      'oktober',
      'november',
      'dezember',
    ],
  },
  nl: {
    spellings: [],
    relative: [
      [/\bovermorgen\b/, 2],
      [/\beergisteren\b/, -2],
    ],
    next: /\b(?:volgende|komende)\b/,
    last: /\b(?:vorige|afgelopen|laatste)\b/,
    current: /\b(?:deze)\b/,
    span: /\b(?:week|weekend|maand|jaar)\b/,
  },
};
