import { parseWorkflow, type Workflow } from '../../../lambdas/domain/workflow/definition';
import type { ConversationRecord } from '../../../lambdas/ports/conversation-store';

/** An order-status workflow whose tracking route reminds twice (10 s, then 10 min). */
export function reminderWorkflow(overrides: Record<string, unknown> = {}): Workflow {
  const parsed = parseWorkflow({
    id: 'order-status',
    greeting: 'Hi!',
    routes: [
      {
        id: 'track-order',
        match: { keywords: ['order'] },
        mandatoryVariables: [
          {
            name: 'order_number',
            type: 'pattern',
            pattern: '\\b\\d{6}\\b',
            prompt: 'What is your order number?',
          },
          { name: 'order_date', type: 'date', prompt: 'When did you place order {{order_number}}?' },
        ],
        onComplete: { reply: 'Checking {{order_number}} from {{order_date}}.' },
        reminders: [
          { afterSeconds: 10, reply: 'Still there?' },
          { afterSeconds: 600, reply: 'Last reminder:', media: ['https://example.com/help.png'] },
        ],
      },
      { id: 'other', match: { keywords: ['hours'] }, onComplete: { reply: 'We open at 9.' } },
    ],
    fallback: { reply: 'Sorry?' },
    failureMessage: 'Oops.',
    timeZone: 'America/New_York',
    ...overrides,
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.workflow;
}

export const T0 = '2026-12-01T15:00:00.000Z';
export const TENANT = 'acme';
export const BUSINESS = '+15005550006';
export const CUSTOMER = '+15551230001';

/** A conversation asked for its order number by the turn of message SM1 at T0. */
export function awaitingOrderNumber(overrides: Partial<ConversationRecord> = {}): ConversationRecord {
  return {
    tenantId: TENANT,
    customer: CUSTOMER,
    businessNumber: BUSINESS,
    conversationId: 'SM0',
    workflowId: 'order-status',
    slots: { status: 'collecting', routeId: 'track-order', variables: {}, attempts: {} },
    version: 2,
    startedAt: '2026-12-01T14:59:00.000Z',
    lastActivityAt: T0,
    expiresAt: '2026-12-02T15:00:00.000Z',
    recentMessageSids: ['SM0', 'SM1'],
    lastInboundAt: T0,
    ...overrides,
  };
}
