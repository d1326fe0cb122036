import type { WorkflowVariable } from './definition';
import { extractChoice, choiceReason } from './extract/choice';
import { DATE_REASONS, dateRefusalReasons, extractDate } from './extract/dates';
import { EMAIL_REASON, extractEmail } from './extract/email';
import { NUMBER_REASON, extractNumber } from './extract/numbers';
import { PHONE_REASON, extractPhone } from './extract/phone';
import { extractText, textReason } from './extract/text';
import { TIME_REASON, extractTime } from './extract/times';
import type { ExtractOptions, Extraction } from './extract/types';
import { reason, variableLabel } from './extract/reasons';
import { YES_NO_REASON, extractYesNo } from './extract/yesno';
import { compileTenantRegex } from './tenant-regex';

export { DATE_REASONS, extractDate } from './extract/dates';
export { extractTime } from './extract/times';
export { extractYesNo } from './extract/yesno';
export type { DateDirection, ExtractOptions, Extraction } from './extract/types';
export { EXTRACT_LANGUAGES, type ExtractLanguage } from './extract/language';
export { REASONS, reason, type ReasonId } from './extract/reasons';
export { correctionCue, CORRECTION_CUES } from './extract/corrections';

/** `\d{6}` (optionally between `\b`s) has 6 digits; undefined for any other pattern. */
export function fixedDigitCount(pattern: string): number | undefined {
  const fixed = pattern.match(/^(?:\\b)?\\d\{(\d+)\}(?:\\b)?$/);
  return fixed?.[1] ? Number(fixed[1]) : undefined;
}

/**
 * The default reason for a pattern names what was asked for, from the variable's name, and the
 * digit count when the pattern is a fixed number of digits: `order_number` with `\b\d{6}\b` gives
 * "That doesn't look like an order number (6 digits)."
 */
function patternReason(variable: Extract<WorkflowVariable, { type: 'pattern' }>, language?: string): string {
  return reason('pattern', language, variableLabel(variable.name), fixedDigitCount(variable.pattern));
}

/**
 * Reasons for values read but refused; they are sent even when the variable has an
 * `invalidMessage`. `language`: as `ExtractOptions.language` (default English).
 */
export function refusalReasons(variable: WorkflowVariable, language?: string): string[] {
  if (variable.type !== 'date') return [];
  return dateRefusalReasons(variable.direction ?? 'any', variable.min, variable.max, language);
}

/**
 * Every reason `extractVariable` can give for this variable when the variable has no
 * `invalidMessage` (the longest is what `workflow lint` measures a re-prompt with).
 */
export function defaultReasons(variable: WorkflowVariable, language?: string): string[] {
  if (language !== undefined) {
    switch (variable.type) {
      case 'text':
        return [textReason(variable.name, language)];
      case 'pattern':
        return [patternReason(variable, language)];
      case 'date':
        return [reason('dateUnreadable', language), ...refusalReasons(variable, language)];
      case 'choice':
        return [choiceReason(variable.options, language)];
      case 'yesno':
        return [reason('yesNo', language)];
      default:
        return [reason(variable.type, language)];
    }
  }
  switch (variable.type) {
    case 'text':
      return [textReason(variable.name)];
    case 'pattern':
      return [patternReason(variable)];
    case 'number':
      return [NUMBER_REASON];
    case 'date':
      return [DATE_REASONS.unreadable, ...refusalReasons(variable)];
    case 'time':
      return [TIME_REASON];
    case 'email':
      return [EMAIL_REASON];
    case 'phone':
      return [PHONE_REASON];
    case 'yesno':
      return [YES_NO_REASON];
    case 'choice':
      return [choiceReason(variable.options)];
  }
}

/** Extracts one variable's value from a message, or says why it could not. */
export function extractVariable(
  variable: WorkflowVariable,
  text: string,
  now: Date,
  options: Pick<ExtractOptions, 'timeZone' | 'defaultCountry' | 'asked' | 'language'> = {},
): Extraction {
  const trimmed = text.trim();
  const { language } = options;
  switch (variable.type) {
    case 'text':
      return extractText(trimmed, variable.name, language);
    case 'pattern': {
      // RE2 (linear time, whatever the tenant wrote); an empty match fills nothing.
      const compiled = compileTenantRegex(variable.pattern);
      if (!compiled.ok) throw new Error(`pattern of ${variable.name}: ${compiled.reason}`);
      const match = compiled.regex.find(trimmed);
      return match && match.match !== ''
        ? { found: true, value: match.match, matched: match.match }
        : { found: false, reason: patternReason(variable, language) };
    }
    case 'number':
      return extractNumber(trimmed, { language });
    case 'date':
      return extractDate(trimmed, now, {
        timeZone: options.timeZone,
        direction: variable.direction,
        min: variable.min,
        max: variable.max,
        language,
      });
    case 'time':
      return extractTime(trimmed, { asked: options.asked, language });
    case 'email':
      return withReason(extractEmail(trimmed, { language }), 'email', language);
    case 'phone':
      return withReason(extractPhone(trimmed, options.defaultCountry), 'phone', language);
    case 'yesno':
      return extractYesNo(trimmed, { language });
    case 'choice':
      return extractChoice(trimmed, variable.options, { language });
  }
}

/** An extraction whose reason (English from the reader) is given in `language`. */
function withReason(extraction: Extraction, id: 'email' | 'phone', language: string | undefined): Extraction {
  return extraction.found || language === undefined
    ? extraction
    : { ...extraction, reason: reason(id, language) };
}
