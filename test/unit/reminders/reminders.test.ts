import { describe, expect, it } from 'vitest';
import { parseWorkflow } from '../../../lambdas/domain/workflow/definition';
import { lintWorkflow } from '../../../lambdas/domain/workflow/lint';
import { workflowMediaFields } from '../../../lambdas/domain/workflow/media';
import { reminderReply } from '../../../lambdas/domain/workflow/reminder-text';
import {
  reminderQuietHours,
  tenantQuietHoursOf,
} from '../../../lambdas/domain/workflow/reminder-quiet-hours';
import {
  awaitedPrompt,
  decideReminder,
  firstReminderTimer,
  MAX_TIMER_DELAY_SECONDS,
  nextReminderTimer,
  reminderMarkerOf,
  reminderSendId,
  silenceOf,
  timerDelaySeconds,
} from '../../../lambdas/domain/workflow/reminders';
import { readStoredWorkflow } from '../../../lambdas/domain/workflow/stored';
import { parseQuietHours } from '../../../lambdas/domain/campaign/quiet-hours';
import { awaitingOrderNumber, BUSINESS, CUSTOMER, reminderWorkflow, T0, TENANT } from './fixtures';

const at = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000);

describe('reminders in the workflow schema', () => {
  const base = {
    id: 'w',
    routes: [
      {
        id: 'r',
        mandatoryVariables: [{ name: 'n', type: 'number', prompt: 'How many?' }],
        onComplete: { reply: 'Done.' },
        reminders: [{ afterSeconds: 600, reply: 'Still there?' }],
      },
    ],
    fallback: { reply: 'Sorry?' },
    failureMessage: 'Oops.',
  };
  const withReminders = (route: Record<string, unknown>) => ({
    ...base,
    routes: [{ ...base.routes[0], ...route }],
  });

  it('accepts a route with a prompt and reminders', () => {
    const parsed = parseWorkflow(base);
    expect(parsed.ok && parsed.workflow.routes[0]?.reminders).toEqual([
      { afterSeconds: 600, reply: 'Still there?' },
    ]);
  });

  it('refuses reminders on a route with no prompt, naming why', () => {
    const parsed = parseWorkflow(withReminders({ mandatoryVariables: [] }));
    expect(parsed).toEqual({
      ok: false,
      errors: [
        'routes.0.reminders: reminders need a prompt to remind about: this route has no mandatoryVariables',
      ],
    });
  });

  it.each([
    [9, 'routes.0.reminders.0.afterSeconds: at least 10 seconds'],
    [2_592_001, 'routes.0.reminders.0.afterSeconds: at most 2592000 seconds (30 days)'],
    [60.5, 'routes.0.reminders.0.afterSeconds: afterSeconds is a whole number of seconds'],
  ])('refuses afterSeconds %s', (afterSeconds, error) => {
    const parsed = parseWorkflow(withReminders({ reminders: [{ afterSeconds, reply: 'Hello?' }] }));
    expect(parsed).toEqual({ ok: false, errors: [error] });
  });

  it('refuses more than 5 reminders, an empty reply and an unknown field', () => {
    const six = Array.from({ length: 6 }, () => ({ afterSeconds: 600, reply: 'Hello?' }));
    expect(parseWorkflow(withReminders({ reminders: six }))).toMatchObject({
      ok: false,
      errors: ['routes.0.reminders: at most 5 reminders per route'],
    });
    expect(parseWorkflow(withReminders({ reminders: [{ afterSeconds: 600, reply: '' }] }))).toMatchObject({
      ok: false,
    });
    expect(parseWorkflow(withReminders({ reminders: [{ after: 600, reply: 'x' }] }))).toMatchObject({
      ok: false,
    });
  });

  it('is read back from storage, and a broken afterSeconds there is refused', () => {
    const workflow = reminderWorkflow();
    expect(readStoredWorkflow(JSON.stringify(workflow)).routes[0]?.reminders).toHaveLength(2);
    const broken = JSON.parse(JSON.stringify(workflow)) as { routes: { reminders?: unknown[] }[] };
    broken.routes[0]!.reminders = [{ afterSeconds: 'soon', reply: 'x' }];
    expect(() => readStoredWorkflow(JSON.stringify(broken))).toThrow(/reminders\.0\.afterSeconds/);
  });

  it('lists reminder pictures with the workflow media', () => {
    expect(workflowMediaFields(reminderWorkflow()).map((field) => field.where)).toContain(
      'routes.track-order.reminders.1.media',
    );
  });
});

describe('workflow lint on reminders', () => {
  it('warns below 300 s and measures each reminder with the longest prompt', () => {
    const report = lintWorkflow(reminderWorkflow());
    expect(report.warnings).toContain(
      'routes.track-order.reminders.0.afterSeconds: 10 s is soon; customers often take minutes to answer (at least 300 s suggested)',
    );
    expect(report.warnings.some((warning) => warning.startsWith('routes.track-order.reminders.1'))).toBe(
      false,
    );
    expect(report.replies.find((reply) => reply.where === 'routes.track-order.reminders.1')).toMatchObject({
      segments: 1,
      media: 1,
    });
  });

  it('warns about a reminder that would come after the conversation expires', () => {
    const workflow = reminderWorkflow({ expiresAfterHours: 1 });
    const route = workflow.routes[0]!;
    const late = {
      ...workflow,
      routes: [
        {
          ...route,
          reminders: [
            { afterSeconds: 1800, reply: 'a' },
            { afterSeconds: 1800, reply: 'b' },
          ],
        },
      ],
    };
    expect(lintWorkflow(late).warnings).toContain(
      'routes.track-order.reminders.1: due 1 h after the prompt, not before the conversation expires (expiresAfterHours 1): never sent',
    );
  });

  it('refuses a template variable the route does not have', () => {
    const workflow = reminderWorkflow();
    const route = workflow.routes[0]!;
    const bad = {
      ...workflow,
      routes: [{ ...route, reminders: [{ afterSeconds: 600, reply: 'Hi {{nme}}' }] }],
    };
    expect(lintWorkflow(bad).errors).toEqual([
      'routes.track-order.reminders.0: unknown template variable "nme" (known here: order_number, order_date)',
    ]);
  });
});

describe('silences and the first timer', () => {
  const workflow = reminderWorkflow();

  it('keys a silence by the last message applied, or by the conversation a business started', () => {
    expect(silenceOf(awaitingOrderNumber())).toEqual({ key: 'SM1', since: T0, answeredAfter: `${T0}#SM1` });
    const started = awaitingOrderNumber({
      conversationId: 'start-1',
      startedAt: T0,
      lastInboundAt: '2026-11-01T00:00:00.000Z',
      recentMessageSids: ['SMold'],
    });
    expect(silenceOf(started)).toEqual({ key: 'start-1', since: T0, answeredAfter: `${T0}#` });
    expect(silenceOf(awaitingOrderNumber({ lastInboundAt: undefined, recentMessageSids: [] })).key).toBe(
      'SM0',
    );
  });

  it('arms the first reminder afterSeconds after the silence began', () => {
    expect(firstReminderTimer(workflow, awaitingOrderNumber())).toEqual({
      v: 1,
      tenantId: TENANT,
      businessNumber: BUSINESS,
      customer: CUSTOMER,
      conversationId: 'SM0',
      silenceKey: 'SM1',
      index: 0,
      dueAt: '2026-12-01T15:00:10.000Z',
    });
  });

  it.each([
    ['completed', { status: 'completed', routeId: 'track-order', variables: {}, attempts: {} }],
    ['fallback', { status: 'fallback', routeId: 'track-order', variables: {}, attempts: {} }],
    ['handed off', { status: 'handed-off', routeId: 'track-order', variables: {}, attempts: {} }],
    ['no route yet', { status: 'collecting', variables: {}, attempts: {} }],
    ['a route without reminders', { status: 'collecting', routeId: 'other', variables: {}, attempts: {} }],
    [
      'nothing missing',
      {
        status: 'collecting',
        routeId: 'track-order',
        variables: { order_number: '1', order_date: '2' },
        attempts: {},
      },
    ],
  ] as const)('arms nothing when %s', (_, slots) => {
    expect(firstReminderTimer(workflow, awaitingOrderNumber({ slots }))).toBeUndefined();
  });

  it('arms nothing due at or after the expiry', () => {
    expect(
      firstReminderTimer(workflow, awaitingOrderNumber({ expiresAt: '2026-12-01T15:00:10.000Z' })),
    ).toBeUndefined();
  });

  it('awaits the first missing variable', () => {
    const slots = {
      status: 'collecting',
      routeId: 'track-order',
      variables: { order_number: '123456' },
      attempts: {},
    } as const;
    expect(awaitedPrompt(workflow, slots)?.variable.name).toBe('order_date');
  });
});

describe('decideReminder', () => {
  const workflow = reminderWorkflow();
  const timer = firstReminderTimer(workflow, awaitingOrderNumber())!;
  const decide = (overrides: Partial<Parameters<typeof decideReminder>[0]> = {}) =>
    decideReminder({ timer, conversation: awaitingOrderNumber(), workflow, now: at(T0, 10), ...overrides });

  it('sends a due reminder, with the marker of this silence', () => {
    expect(decide()).toMatchObject({
      kind: 'send',
      reminder: { reply: 'Still there?' },
      marker: { silenceKey: 'SM1', sent: 1, lastAt: '2026-12-01T15:00:10.000Z' },
      at: '2026-12-01T15:00:10.000Z',
    });
  });

  it.each([
    ['conversation-gone', { conversation: undefined }],
    ['conversation-gone', { conversation: awaitingOrderNumber({ conversationId: 'SMother' }) }],
    ['answered', { conversation: awaitingOrderNumber({ recentMessageSids: ['SM0', 'SM1', 'SM2'] }) }],
    ['workflow-gone', { workflow: undefined }],
    [
      'not-awaiting',
      {
        conversation: awaitingOrderNumber({
          slots: { status: 'handed-off', routeId: 'track-order', variables: {}, attempts: {} },
        }),
      },
    ],
    ['expired', { now: new Date('2026-12-02T15:00:00.000Z') }],
    [
      'already-sent',
      { conversation: awaitingOrderNumber({ reminder: { silenceKey: 'SM1', sent: 2, lastAt: T0 } }) },
    ],
  ] as const)('drops it: %s', (reason, overrides) => {
    expect(decide(overrides)).toEqual({ kind: 'drop', reason });
  });

  it('ignores the marker of an earlier silence', () => {
    const conversation = awaitingOrderNumber({ reminder: { silenceKey: 'SM0', sent: 2, lastAt: T0 } });
    expect(decide({ conversation }).kind).toBe('send');
  });

  it('re-queues a reminder an earlier attempt committed, at its commit time', () => {
    const lastAt = '2026-12-01T15:00:11.000Z';
    const conversation = awaitingOrderNumber({ reminder: { silenceKey: 'SM1', sent: 1, lastAt } });
    expect(decide({ conversation, now: at(T0, 30) })).toMatchObject({ kind: 'resend', at: lastAt });
  });

  it('puts an early timer back for the rest of its delay, at most 15 minutes a hop', () => {
    expect(decide({ now: at(T0, 3.5) })).toMatchObject({ kind: 'wait', delaySeconds: 7, quietHours: false });
    const far = { ...timer, dueAt: at(T0, 7_200).toISOString() };
    expect(decide({ timer: far })).toMatchObject({
      kind: 'wait',
      delaySeconds: MAX_TIMER_DELAY_SECONDS,
      timer: far,
    });
  });

  it('moves a reminder due in the quiet hours to their end, on the customer clock', () => {
    const quiet = reminderQuietHours('21:00-08:00', '+33612345678', 'America/New_York', at(T0, 0))!;
    expect(quiet.timeZone).toBe('Europe/Paris');
    // 15:00:10 UTC is 16:00 in Paris: allowed.
    expect(decide({ quiet }).kind).toBe('send');
    // 21:30 Paris (20:30 UTC): waits until 08:00 Paris, 07:00 UTC the next day.
    const evening = new Date('2026-12-01T20:30:00.000Z');
    const late = { ...timer, dueAt: evening.toISOString() };
    expect(decide({ timer: late, now: evening, quiet })).toMatchObject({
      kind: 'wait',
      quietHours: true,
      delaySeconds: MAX_TIMER_DELAY_SECONDS,
      timer: { dueAt: '2026-12-02T07:00:00.000Z', index: 0 },
    });
    // The conversation expires before the quiet hours end: dropped.
    const short = awaitingOrderNumber({ expiresAt: '2026-12-02T06:00:00.000Z' });
    expect(decide({ timer: late, now: evening, quiet, conversation: short })).toEqual({
      kind: 'drop',
      reason: 'expired',
    });
  });

  it('reads US numbers on the workflow time zone and ignores unreadable quiet hours', () => {
    expect(reminderQuietHours('21:00-08:00', CUSTOMER, 'America/Chicago', at(T0, 0))?.timeZone).toBe(
      'America/Chicago',
    );
    expect(reminderQuietHours(undefined, CUSTOMER, undefined, at(T0, 0))).toBeUndefined();
    expect(tenantQuietHoursOf({ quietHours: '21:00-08:00' })).toBe('21:00-08:00');
    expect(tenantQuietHoursOf({ quietHours: 'late' })).toBeUndefined();
    expect(parseQuietHours('21:00-08:00').ok).toBe(true);
  });

  it('arms the next reminder from the time the last one went, none past the expiry', () => {
    const awaited = awaitedPrompt(workflow, awaitingOrderNumber().slots)!;
    expect(
      nextReminderTimer(awaited, awaitingOrderNumber(), 'SM1', 0, '2026-12-01T15:00:12.000Z'),
    ).toMatchObject({
      index: 1,
      dueAt: '2026-12-01T15:10:12.000Z',
    });
    expect(nextReminderTimer(awaited, awaitingOrderNumber(), 'SM1', 1, T0)).toBeUndefined();
    const soon = awaitingOrderNumber({ expiresAt: '2026-12-01T15:05:00.000Z' });
    expect(nextReminderTimer(awaited, soon, 'SM1', 0, T0)).toBeUndefined();
  });
});

describe('what a reminder says', () => {
  it('is the reply and the awaited prompt, rendered, with the pictures of both', () => {
    const workflow = reminderWorkflow();
    const slots = {
      status: 'collecting',
      routeId: 'track-order',
      variables: { order_number: '123456' },
      attempts: {},
    } as const;
    const awaited = awaitedPrompt(workflow, slots)!;
    expect(reminderReply(workflow, awaited, awaited.reminders[1]!, slots, at(T0, 0))).toEqual({
      text: 'Last reminder: When did you place order 123456?',
      media: ['https://example.com/help.png'],
    });
  });

  it('has deterministic send ids, and markers read back leniently', () => {
    expect(reminderSendId('SM1', 0)).toBe('SM1-reminder-0');
    expect(reminderSendId('SM1', 2, 1)).toBe('SM1-reminder-2-1');
    expect(reminderMarkerOf({ silenceKey: 'SM1', sent: 1, lastAt: T0 })).toEqual({
      silenceKey: 'SM1',
      sent: 1,
      lastAt: T0,
    });
    expect(reminderMarkerOf({ silenceKey: 'SM1', sent: -1, lastAt: T0 })).toBeUndefined();
    expect(reminderMarkerOf('x')).toBeUndefined();
    expect(timerDelaySeconds(0, 5_000)).toBe(0);
  });
});
