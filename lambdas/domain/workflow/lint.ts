import { combineMedia, MAX_MEDIA_PER_MESSAGE } from '../outbound-media';
import { countSegments, type SmsEncoding } from '../segments';
import { replaceTokens, templateVariables } from '../templates';
import type { Workflow, WorkflowVariable } from './definition';
import { defaultReasons, fixedDigitCount, refusalReasons } from './extractors';
import { keywordIntent } from '../opt-out';
import {
  fallbackActionOf,
  handoffKeywordsOf,
  handoffReplyOf,
  isHandoffRequest,
  MAX_HANDOFF_REQUEST_WORDS,
} from './handoff';
import { foldCase } from './fuzzy';
import { workflowMediaFields } from './media';
import { lintReminders } from './reminders-lint';
import { allOfList, type LocalizedText, textIn } from '../language/localized-text';
import { lintLanguages, mergeLanguagePasses } from './languages-lint';

/** What `workflow lint` reports about each text the workflow can send. */
export interface ReplyReport {
  readonly where: string;
  readonly segments: number;
  readonly encoding: SmsEncoding;
  readonly characters: number;
  /** Pictures sent with it (an MMS); absent for an SMS. */
  readonly media?: number;
  /** The language of the text, in a workflow of several languages (each text is measured in each). */
  readonly language?: string;
}

export interface LintReport {
  readonly errors: string[];
  readonly warnings: string[];
  readonly replies: ReplyReport[];
}

const SAMPLE_LENGTH_BY_TYPE: Readonly<Record<WorkflowVariable['type'], number>> = {
  text: 40,
  pattern: 20,
  number: 10,
  date: 29, // rendered for people: "Wednesday, September 30, 2026" is the longest en-US form
  time: 8, // rendered for people: "12:30 PM"
  email: 40,
  phone: 16,
  yesno: 3,
  choice: 0, // the longest option, below
};

/** `{{name:iso}}` inserts the stored value: `YYYY-MM-DD` for a date, 24h `HH:MM` for a time. */
const ISO_SAMPLES: Partial<Record<WorkflowVariable['type'], string>> = { date: '2026-09-30', time: '23:59' };

/** A long but realistic value: a fixed-length pattern like `\d{6}` is that long, free text 40 characters. */
function worstCaseValue(variable: WorkflowVariable, iso = false): string {
  const isoSample = iso ? ISO_SAMPLES[variable.type] : undefined;
  if (isoSample !== undefined) return isoSample;
  if (variable.type === 'date') return 'Wednesday, September 30, 2026';
  if (variable.type === 'time') return '12:30 PM';
  if (variable.type === 'choice') return variable.options.reduce((a, b) => (b.length > a.length ? b : a), '');
  if (variable.type === 'pattern') {
    const digits = fixedDigitCount(variable.pattern);
    if (digits !== undefined) return '9'.repeat(digits);
  }
  return 'x'.repeat(SAMPLE_LENGTH_BY_TYPE[variable.type]);
}

/** The template with every known variable at its worst-case length (unknown ones empty). */
function render(template: string, known: readonly WorkflowVariable[]): string {
  const byName = new Map(known.map((variable) => [variable.name, variable]));
  return replaceTokens(template, (name, iso) => {
    const variable = byName.get(name) ?? byName.get(name.toLowerCase());
    return variable ? worstCaseValue(variable, iso) : '';
  });
}

/**
 * Checks what the schema cannot: every template token names a variable that is known when the
 * text is sent, and every text fits one SMS segment at worst-case variable lengths; in a workflow
 * of several languages, in each of them, and that every language has its texts (languages-lint.ts).
 */
export function lintWorkflow(workflow: Workflow): LintReport {
  return mergeLanguagePasses(workflow, (language) => lintIn(workflow, language), lintLanguages(workflow));
}

/** One language's pass: every text as the conversation in `language` would send it. */
function lintIn(workflow: Workflow, language: string): LintReport {
  const say = (text: LocalizedText): string => textIn(text, language, workflow);
  const errors: string[] = [];
  const warnings: string[] = [];
  const replies: ReplyReport[] = [];

  /**
   * Checks one text the workflow sends. A text composed of parts checked on their own (greeting +
   * prompt, reason + prompt) is measured whole, but only `newPart` (what no other check covers)
   * is checked for unknown variables, so none is reported twice. `media` is every picture of every
   * part: one message carries at most 10.
   */
  const check = (
    where: string,
    localizedTemplate: LocalizedText,
    known: readonly WorkflowVariable[],
    localizedNewPart: LocalizedText = localizedTemplate,
    media: readonly string[] = [],
  ) => {
    const template = say(localizedTemplate);
    const newPart = say(localizedNewPart);
    const knownNames = new Set(known.map((variable) => variable.name));
    for (const name of templateVariables(newPart)) {
      if (!knownNames.has(name) && !knownNames.has(name.toLowerCase())) {
        errors.push(
          `${where}: unknown template variable "${name}" (known here: ${[...knownNames].join(', ') || 'none'})`,
        );
      }
    }
    const count = countSegments(render(template, known));
    replies.push({
      where,
      segments: count.segments,
      encoding: count.encoding,
      characters: count.units,
      ...(media.length > 0 ? { media: media.length } : {}),
    });
    if (media.length > MAX_MEDIA_PER_MESSAGE)
      errors.push(`${where}: ${media.length} pictures in one message (at most ${MAX_MEDIA_PER_MESSAGE})`);
    // An MMS is billed as one message whatever its length (up to 1600 characters).
    if (count.segments > 1 && media.length === 0) {
      warnings.push(
        `${where}: ${count.segments} segments (${count.encoding}, ${count.units} units) at worst-case lengths`,
      );
    }
  };

  const greetingMedia = workflow.greeting ? (workflow.greetingMedia ?? []) : [];
  if (workflow.greeting) check('greeting', workflow.greeting, [], workflow.greeting, greetingMedia);
  else if (workflow.greetingMedia?.length)
    warnings.push('greetingMedia: the workflow has no greeting, so these pictures are never sent');
  const fallbackMedia = workflow.fallback.media ?? [];
  check('fallback.reply', workflow.fallback.reply, [], workflow.fallback.reply, fallbackMedia);
  // An unmatched first message is answered with the greeting and the fallback reply.
  if (workflow.greeting)
    check(
      'greeting + fallback.reply',
      `${say(workflow.greeting ?? '')} ${say(workflow.fallback.reply)}`,
      [],
      '',
      combineMedia(greetingMedia, fallbackMedia),
    );
  check('failureMessage', workflow.failureMessage, [], workflow.failureMessage, workflow.failureMessageMedia);
  if (workflow.help) check('help', workflow.help, [], workflow.help, workflow.helpMedia);
  if (workflow.optOutConfirmation) check('optOutConfirmation', workflow.optOutConfirmation, []);
  if (workflow.optInConfirmation) check('optInConfirmation', workflow.optInConfirmation, []);
  else if (workflow.helpMedia?.length)
    warnings.push(
      'helpMedia: the workflow has no help text (HELP gets a generic one), so these are never sent',
    );
  lintHandoff(workflow, language, check, errors, warnings);
  const routeIds = new Set<string>();
  for (const route of workflow.routes) {
    if (routeIds.has(route.id)) errors.push(`routes.${route.id}: duplicate route id`);
    routeIds.add(route.id);
    const names = new Set<string>();
    route.mandatoryVariables.forEach((variable, index) => {
      if (names.has(variable.name))
        errors.push(`routes.${route.id}.mandatoryVariables.${variable.name}: duplicate name`);
      names.add(variable.name);
      // A prompt may only mention what was collected before it.
      const promptMedia = variable.promptMedia ?? [];
      check(
        `routes.${route.id}.mandatoryVariables.${variable.name}.prompt`,
        variable.prompt,
        route.mandatoryVariables.slice(0, index),
        variable.prompt,
        promptMedia,
      );
      // The re-prompt: the invalid message (or the type's default reason) and the prompt, in one
      // SMS, measured with the longest reason it can carry.
      const reasons =
        variable.invalidMessage === undefined
          ? defaultReasons(variable, language)
          : [say(variable.invalidMessage), ...refusalReasons(variable, language)];
      const longestReason = reasons.reduce((a, b) => (b.length > a.length ? b : a));
      check(
        `routes.${route.id}.mandatoryVariables.${variable.name}.${variable.invalidMessage === undefined ? 'reprompt' : 'invalidMessage'}`,
        `${longestReason} ${say(variable.prompt)}`,
        route.mandatoryVariables.slice(0, index),
        variable.invalidMessage ?? '',
        combineMedia(variable.invalidMessage === undefined ? [] : variable.invalidMessageMedia, promptMedia),
      );
      if (variable.invalidMessage === undefined && variable.invalidMessageMedia?.length)
        warnings.push(
          `routes.${route.id}.mandatoryVariables.${variable.name}.invalidMessageMedia: the variable has no invalidMessage, so these pictures are never sent`,
        );
      // The first reply of a conversation carries the greeting; one message may fill the
      // variables before this one, so any prompt can be the first.
      if (workflow.greeting) {
        check(
          `greeting + routes.${route.id}.mandatoryVariables.${variable.name}.prompt`,
          `${say(workflow.greeting)} ${say(variable.prompt)}`,
          route.mandatoryVariables.slice(0, index),
          '',
          combineMedia(greetingMedia, promptMedia),
        );
      }
      if (variable.type === 'yesno' && variable.onNo) {
        const where = `routes.${route.id}.mandatoryVariables.${variable.name}.onNo`;
        const before = route.mandatoryVariables.slice(0, index);
        const cleared = new Set(variable.onNo.clear);
        for (const name of cleared) {
          if (!before.some((earlier) => earlier.name === name)) {
            errors.push(`${where}.clear: "${name}" is not a variable asked before ${variable.name}`);
          }
        }
        // Sent as one SMS: the reply, then the prompt of the first variable asked again.
        const kept = before.filter((earlier) => !cleared.has(earlier.name));
        const askAgain = before.find((earlier) => cleared.has(earlier.name)) ?? variable;
        check(
          `${where}.reply`,
          `${say(variable.onNo.reply)} ${say(askAgain.prompt)}`,
          kept,
          `${say(variable.onNo.reply)} ${say(askAgain.prompt)}`,
          combineMedia(variable.onNo.media, askAgain.promptMedia),
        );
      }
    });
    const completeMedia = route.onComplete.media ?? [];
    check(
      `routes.${route.id}.onComplete.reply`,
      route.onComplete.reply,
      route.mandatoryVariables,
      route.onComplete.reply,
      completeMedia,
    );
    lintReminders(workflow, route, check, warnings);
    // The schema admits plain HTTP to loopback hosts for the local stack; deployed, nothing listens there.
    const webhookUrl = route.onComplete.webhook?.url;
    if (webhookUrl?.startsWith('http:')) {
      warnings.push(
        `routes.${route.id}.onComplete.webhook.url: plain http:// reaches only this machine (local stack); use https:// before deploying`,
      );
    }
    if (route.onComplete.webhook && route.mandatoryVariables.length === 0) {
      warnings.push(
        `routes.${route.id}.onComplete.webhook: the route collects no variables, so the webhook carries none`,
      );
    }
    if (workflow.greeting) {
      check(
        `greeting + routes.${route.id}.onComplete.reply`,
        `${say(workflow.greeting)} ${say(route.onComplete.reply)}`,
        route.mandatoryVariables,
        '',
        combineMedia(greetingMedia, completeMedia),
      );
    }
  }
  const defaults = workflow.routes.filter(
    (route) => allOfList(route.match.keywords).length === 0 && allOfList(route.match.patterns).length === 0,
  );
  if (defaults.length > 1) {
    errors.push(
      `routes: ${defaults.map((route) => route.id).join(', ')} have no keywords or patterns; only one default route is allowed`,
    );
  }
  // The schema admits plain HTTP to loopback hosts for the local stack; Twilio cannot fetch them.
  for (const field of workflowMediaFields(workflow)) {
    if (field.urls.some((url) => url.startsWith('http:')))
      warnings.push(
        `${field.where}: plain http:// reaches only this machine (local stack); use https:// before deploying`,
      );
  }
  return { errors, warnings, replies };
}

/**
 * Hand-off to a person: the acknowledgement is measured when anything can send it (a keyword or
 * `fallback.action: handoff`); a carrier keyword can never hand off (STOP, HELP, ... are read
 * first); a keyword a route also uses takes the route's short messages to a person.
 */
function lintHandoff(
  workflow: Workflow,
  language: string,
  check: (
    where: string,
    template: string,
    known: readonly WorkflowVariable[],
    newPart?: string,
    media?: readonly string[],
  ) => void,
  errors: string[],
  warnings: string[],
): void {
  const keywords = handoffKeywordsOf(workflow);
  const action = fallbackActionOf(workflow);
  if (keywords.length > 0 || action === 'handoff') {
    const reply = handoffReplyOf(workflow, language);
    check('handoff.reply', reply.text, [], reply.text, reply.media);
    // Handed off by the fallback on an unmatched first message: greeted.
    if (action === 'handoff' && workflow.greeting)
      check(
        'greeting + handoff.reply',
        `${textIn(workflow.greeting, language, workflow)} ${reply.text}`,
        [],
        '',
        combineMedia(workflow.greetingMedia, reply.media),
      );
  } else if (workflow.handoff) {
    warnings.push('handoff.reply: never sent (no handoffKeywords and fallback.action is not handoff)');
  }
  for (const keyword of keywords) {
    if (keywordIntent(keyword) !== undefined) {
      errors.push(
        `handoffKeywords: "${keyword}" is a carrier keyword (STOP, START, HELP and their kin are read first), so it never hands off`,
      );
      continue;
    }
    if (!isHandoffRequest([keyword], keyword)) {
      errors.push(
        `handoffKeywords: "${keyword}" never hands off (more than ${MAX_HANDOFF_REQUEST_WORDS} words, a negation such as "no", or no letter or digit)`,
      );
      continue;
    }
    for (const route of workflow.routes) {
      if (
        allOfList(route.match.keywords).some((routeKeyword) => foldCase(routeKeyword) === foldCase(keyword))
      )
        warnings.push(
          `handoffKeywords: "${keyword}" is also a keyword of route ${route.id}; a short message with it goes to a person, not the route`,
        );
    }
  }
}
