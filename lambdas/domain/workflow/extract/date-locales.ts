import * as de from 'chrono-node/de';
import * as es from 'chrono-node/es';
import * as fr from 'chrono-node/fr';
import * as nl from 'chrono-node/nl';
import * as pt from 'chrono-node/pt';
import type { DateLanguage } from './language';

/**
 * chrono-node's casual parsers for the languages other than English. Together they add about
 * 38 KB (minified) to a bundle that already carries the English one.
 */
const PARSERS = { de, es, fr, nl, pt } as const;

export function chronoFor(
  language: Exclude<DateLanguage, 'en'>,
): (typeof PARSERS)[keyof typeof PARSERS]['casual'] {
  return PARSERS[language].casual;
}
