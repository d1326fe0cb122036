import type { ExtractLanguage } from './language';

/**
 * Numbers in words per language, folded (lower case, no accents), 0 to 99 and the hundreds and
 * thousands customers text ("veinticinco", "vingt-deux", "vinte e um", "einundzwanzig"), and the
 * counts ("una docena", "meia dúzia", "ein Dutzend").
 */
export interface NumberWords {
  /** Every spelling of 0..99 (and "cien", "cent"...): phrase -> value. */
  readonly words: ReadonlyMap<string, number>;
  /** Words that are an article as often as "one" ("una mesa"): read as 1 only when nothing else is a number. */
  readonly articles: ReadonlySet<string>;
  /** Counts: "una docena" 12, "media docena" 6, "un par" 2. */
  readonly counts: ReadonlyMap<string, number>;
  /** Scales after a number: "5 mil", "3 mille", "2 tausend". */
  readonly scales: ReadonlyMap<string, number>;
  /** Words after "un"/"one" that make it no count ("un momento", "un poco"). */
  readonly notACountAfter: RegExp;
}

function table(entries: readonly (readonly [number, readonly string[]])[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const [value, spellings] of entries) for (const spelling of spellings) map.set(spelling, value);
  return map;
}

function withTens(
  units: Map<string, number>,
  tens: readonly (readonly [number, readonly string[]])[],
  join: (ten: string, unit: string, value: number) => readonly string[],
): Map<string, number> {
  const all = new Map(units);
  for (const [ten, spellings] of tens) {
    for (const spelling of spellings) {
      all.set(spelling, ten);
      for (const [unit, value] of units) {
        if (value < 1 || value > 9) continue;
        for (const joined of join(spelling, unit, value)) if (!all.has(joined)) all.set(joined, ten + value);
      }
    }
  }
  return all;
}

const ES_UNITS = table([
  [0, ['cero']],
  [1, ['uno', 'un', 'una']],
  [2, ['dos']],
  [3, ['tres']],
  [4, ['cuatro']],
  [5, ['cinco']],
  [6, ['seis']],
  [7, ['siete']],
  [8, ['ocho']],
  [9, ['nueve']],
  [10, ['diez']],
  [11, ['once']],
  [12, ['doce']],
  [13, ['trece']],
  [14, ['catorce']],
  [15, ['quince']],
  [16, ['dieciseis', 'diez y seis']],
  [17, ['diecisiete', 'diez y siete']],
  [18, ['dieciocho', 'diez y ocho']],
  [19, ['diecinueve', 'diez y nueve']],
  [20, ['veinte']],
  [21, ['veintiuno', 'veintiun', 'veintiuna']],
  [22, ['veintidos']],
  [23, ['veintitres']],
  [24, ['veinticuatro']],
  [25, ['veinticinco']],
  [26, ['veintiseis']],
  [27, ['veintisiete']],
  [28, ['veintiocho']],
  [29, ['veintinueve']],
  [100, ['cien', 'ciento']],
]);
const FR_UNITS = table([
  [0, ['zero']],
  [1, ['un', 'une']],
  [2, ['deux']],
  [3, ['trois']],
  [4, ['quatre']],
  [5, ['cinq']],
  [6, ['six']],
  [7, ['sept']],
  [8, ['huit']],
  [9, ['neuf']],
  [10, ['dix']],
  [11, ['onze']],
  [12, ['douze']],
  [13, ['treize']],
  [14, ['quatorze']],
  [15, ['quinze']],
  [16, ['seize']],
  [17, ['dix-sept', 'dix sept']],
  [18, ['dix-huit', 'dix huit']],
  [19, ['dix-neuf', 'dix neuf']],
  [100, ['cent']],
]);
const PT_UNITS = table([
  [0, ['zero']],
  [1, ['um', 'uma']],
  [2, ['dois', 'duas']],
  [3, ['tres']],
  [4, ['quatro']],
  [5, ['cinco']],
  [6, ['seis']],
  [7, ['sete']],
  [8, ['oito']],
  [9, ['nove']],
  [10, ['dez']],
  [11, ['onze']],
  [12, ['doze']],
  [13, ['treze']],
  [14, ['catorze', 'quatorze']],
  [15, ['quinze']],
  [16, ['dezesseis', 'dezasseis']],
  [17, ['dezessete', 'dezassete']],
  [18, ['dezoito']],
  [19, ['dezenove', 'dezanove']],
  [100, ['cem', 'cento']],
]);
const DE_UNITS = table([
  [0, ['null']],
  [1, ['eins', 'ein', 'eine', 'einen', 'einem', 'einer']],
  [2, ['zwei', 'zwo']],
  [3, ['drei']],
  [4, ['vier']],
  [5, ['funf', 'fuenf']],
  [6, ['sechs']],
  [7, ['sieben']],
  [8, ['acht']],
  [9, ['neun']],
  [10, ['zehn']],
  [11, ['elf']],
  [12, ['zwolf', 'zwoelf']],
  [13, ['dreizehn']],
  [14, ['vierzehn']],
  [15, ['funfzehn', 'fuenfzehn']],
  [16, ['sechzehn']],
  [17, ['siebzehn']],
  [18, ['achtzehn']],
  [19, ['neunzehn']],
  [100, ['hundert', 'einhundert']],
]);

const tensEs = [
  [30, ['treinta']],
  [40, ['cuarenta']],
  [50, ['cincuenta']],
  [60, ['sesenta']],
  [70, ['setenta']],
  [80, ['ochenta']],
  [90, ['noventa']],
] as const;
const tensFr = [
  [20, ['vingt']],
  [30, ['trente']],
  [40, ['quarante']],
  [50, ['cinquante']],
  [60, ['soixante']],
  [80, ['quatre-vingt', 'quatre-vingts', 'quatre vingt']],
] as const;
const tensPt = [
  [20, ['vinte']],
  [30, ['trinta']],
  [40, ['quarenta']],
  [50, ['cinquenta']],
  [60, ['sessenta']],
  [70, ['setenta']],
  [80, ['oitenta']],
  [90, ['noventa']],
] as const;
const tensDe = [
  [20, ['zwanzig']],
  [30, ['dreissig', 'dreisig']],
  [40, ['vierzig']],
  [50, ['funfzig', 'fuenfzig']],
  [60, ['sechzig']],
  [70, ['siebzig']],
  [80, ['achtzig']],
  [90, ['neunzig']],
] as const;

const frWords = withTens(FR_UNITS, tensFr, (ten, unit, value) =>
  value === 1 ? [`${ten} et ${unit}`, `${ten}-et-${unit}`] : [`${ten}-${unit}`, `${ten} ${unit}`],
);
// 70-79 and 90-99: "soixante-dix", "soixante et onze", "quatre-vingt-dix-sept".
for (const [base, name] of [
  [60, 'soixante'],
  [80, 'quatre-vingt'],
] as const) {
  for (const [unit, value] of FR_UNITS) {
    if (value < 10 || value > 19) continue;
    for (const joined of [`${name}-${unit}`, `${name} ${unit}`, `${name} et ${unit}`, `${name}-et-${unit}`])
      if (!frWords.has(joined)) frWords.set(joined, base + value);
  }
}

export const NUMBER_WORDS_BY_LANGUAGE: Readonly<Record<Exclude<ExtractLanguage, 'en'>, NumberWords>> = {
  es: {
    words: withTens(ES_UNITS, tensEs, (ten, unit) => [`${ten} y ${unit}`]),
    articles: new Set(['un', 'una']),
    counts: table([
      [12, ['una docena', 'docena']],
      [6, ['media docena']],
      [2, ['un par', 'una pareja', 'pareja']],
    ]),
    scales: table([
      [1000, ['mil', 'k']],
      [1_000_000, ['millon', 'millones']],
    ]),
    notACountAfter: /^(?:momento|segundo|minuto|rato|poco|poquito|ratito|favor|dia|vez)\b/,
  },
  fr: {
    words: frWords,
    articles: new Set(['un', 'une']),
    counts: table([
      [12, ['une douzaine', 'douzaine']],
      [6, ['une demi-douzaine', 'une demi douzaine', 'demi-douzaine']],
      [2, ['un couple', 'une paire']],
    ]),
    scales: table([
      [1000, ['mille', 'k']],
      [1_000_000, ['million', 'millions']],
    ]),
    notACountAfter: /^(?:moment|instant|seconde|minute|peu|jour|fois)\b/,
  },
  pt: {
    words: withTens(PT_UNITS, tensPt, (ten, unit) => [`${ten} e ${unit}`]),
    articles: new Set(['um', 'uma']),
    counts: table([
      [12, ['uma duzia', 'duzia']],
      [6, ['meia duzia']],
      [2, ['um par', 'um casal', 'casal']],
    ]),
    scales: table([
      [1000, ['mil', 'k']],
      [1_000_000, ['milhao', 'milhoes']],
    ]),
    notACountAfter: /^(?:momento|segundo|minuto|pouco|pouquinho|instante|dia|vez)\b/,
  },
  de: {
    words: withTens(DE_UNITS, tensDe, (ten, unit, value) =>
      value === 1 ? [`einund${ten}`] : [`${unit}und${ten}`],
    ),
    articles: new Set(['ein', 'eine', 'einen', 'einem', 'einer']),
    counts: table([
      [12, ['ein dutzend', 'dutzend']],
      [6, ['ein halbes dutzend', 'halbes dutzend']],
      [2, ['ein parchen', 'zu zweit', 'parchen', 'zu zwei']],
      [3, ['zu dritt']],
      [4, ['zu viert']],
      [5, ['zu funft', 'zu fuenft']],
      [6, ['zu sechst']],
      [7, ['zu siebt']],
      [8, ['zu acht']],
    ]),
    scales: table([
      [1000, ['tausend', 'k']],
      [1_000_000, ['million', 'millionen']],
    ]),
    notACountAfter: /^(?:moment|augenblick|sekunde|minute|bisschen|bissl|tag|mal)\b/,
  },
};
