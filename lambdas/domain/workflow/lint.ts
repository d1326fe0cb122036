import { countSegments, type SmsEncoding } from '../segments';
import { templateVariables } from '../templates';
import type { Workflow, WorkflowVariable } from './definition';
import { defaultReasons, fixedDigitCount, refusalReasons } from './extractors';

/** What `workflow lint` reports about each text the workflow can send. */
export interface ReplyReport {
  readonly where: string;
  readonly segments: number;
  readonly encoding: SmsEncoding;
  readonly characters: number;
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
  date: 10, // rendered as YYYY-MM-DD
  time: 5, // rendered as HH:MM
  email: 40,
  phone: 16,
  yesno: 3,
  choice: 0, // the longest option, below
};

/** A long but realistic value: a fixed-length pattern like `\d{6}` is that long, free text 40 characters. */
function worstCaseValue(variable: WorkflowVariable): string {
  if (variable.type === 'time') return '23:59'; // HH:MM
  if (variable.type === 'choice') return variable.options.reduce((a, b) => (b.length > a.length ? b : a), '');
  if (variable.type === 'pattern') {
    const digits = fixedDigitCount(variable.pattern);
    if (digits !== undefined) return '9'.repeat(digits);
  }
  return 'x'.repeat(SAMPLE_LENGTH_BY_TYPE[variable.type]);
}

function render(template: string, values: Readonly<Record<string, string>>): string {
  let text = template;
  for (const name of templateVariables(template)) {
    text = text
      .split(new RegExp(`\\{\\{\\s*(?:(?:entity|vrbl):)?${name}\\s*\\}\\}|\\$\\{\\s*${name}\\s*\\}`))
      .join(values[name] ?? '');
  }
  return text;
}

/**
 * Checks what the schema cannot: every template token names a variable that is known when the
 * text is sent, and every text fits one SMS segment at worst-case variable lengths.
 */
export function lintWorkflow(workflow: Workflow): LintReport {
  const errors: string[] = [];
  const warnings: string[] = [];
  const replies: ReplyReport[] = [];

  /**
   * Checks one text the workflow sends. A text composed of parts checked on their own (greeting +
   * prompt, reason + prompt) is measured whole, but only `newPart` (what no other check covers)
   * is checked for unknown variables, so none is reported twice.
   */
  const check = (
    where: string,
    template: string,
    known: readonly WorkflowVariable[],
    newPart: string = template,
  ) => {
    const knownNames = new Set(known.map((variable) => variable.name));
    for (const name of templateVariables(newPart)) {
      if (!knownNames.has(name) && !knownNames.has(name.toLowerCase())) {
        errors.push(
          `${where}: unknown template variable "${name}" (known here: ${[...knownNames].join(', ') || 'none'})`,
        );
      }
    }
    const sample = Object.fromEntries(known.map((variable) => [variable.name, worstCaseValue(variable)]));
    const count = countSegments(render(template, sample));
    replies.push({ where, segments: count.segments, encoding: count.encoding, characters: count.units });
    if (count.segments > 1) {
      warnings.push(
        `${where}: ${count.segments} segments (${count.encoding}, ${count.units} units) at worst-case lengths`,
      );
    }
  };

  if (workflow.greeting) check('greeting', workflow.greeting, []);
  check('fallback.reply', workflow.fallback.reply, []);
  // An unmatched first message is answered with the greeting and the fallback reply.
  if (workflow.greeting)
    check('greeting + fallback.reply', `${workflow.greeting} ${workflow.fallback.reply}`, [], '');
  check('failureMessage', workflow.failureMessage, []);
  if (workflow.help) check('help', workflow.help, []);
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
      check(
        `routes.${route.id}.mandatoryVariables.${variable.name}.prompt`,
        variable.prompt,
        route.mandatoryVariables.slice(0, index),
      );
      // The re-prompt: the invalid message (or the type's default reason) and the prompt, in one
      // SMS, measured with the longest reason it can carry.
      const reasons =
        variable.invalidMessage === undefined
          ? defaultReasons(variable)
          : [variable.invalidMessage, ...refusalReasons(variable)];
      const longestReason = reasons.reduce((a, b) => (b.length > a.length ? b : a));
      check(
        `routes.${route.id}.mandatoryVariables.${variable.name}.${variable.invalidMessage === undefined ? 'reprompt' : 'invalidMessage'}`,
        `${longestReason} ${variable.prompt}`,
        route.mandatoryVariables.slice(0, index),
        variable.invalidMessage ?? '',
      );
      // The first reply of a conversation carries the greeting; one message may fill the
      // variables before this one, so any prompt can be the first.
      if (workflow.greeting) {
        check(
          `greeting + routes.${route.id}.mandatoryVariables.${variable.name}.prompt`,
          `${workflow.greeting} ${variable.prompt}`,
          route.mandatoryVariables.slice(0, index),
          '',
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
        check(`${where}.reply`, `${variable.onNo.reply} ${askAgain.prompt}`, kept);
      }
    });
    check(`routes.${route.id}.onComplete.reply`, route.onComplete.reply, route.mandatoryVariables);
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
        `${workflow.greeting} ${route.onComplete.reply}`,
        route.mandatoryVariables,
        '',
      );
    }
  }
  const defaults = workflow.routes.filter((route) => route.match.keywords.length === 0);
  if (defaults.length > 1) {
    errors.push(
      `routes: ${defaults.map((route) => route.id).join(', ')} have no keywords; only one default route is allowed`,
    );
  }
  return { errors, warnings, replies };
}
