import type { Workflow } from '../../lambdas/domain/workflow/definition';

/**
 * The soak's reminders: every route of the demo workflow reminds twice, 10 s apart, so a customer
 * who stops mid-conversation (every customer, at the end of the traffic) is reminded while the
 * pipeline drains, under the same faults and crashes as everything else. 10 s is the schema's least.
 */
export const SOAK_REMINDERS = [
  { afterSeconds: 10, reply: 'Still there?' },
  { afterSeconds: 10, reply: 'Last reminder:' },
] as const;

export function withSoakReminders(workflow: Workflow): Workflow {
  return {
    ...workflow,
    routes: workflow.routes.map((route) =>
      route.mandatoryVariables.length > 0
        ? { ...route, reminders: SOAK_REMINDERS.map((reminder) => ({ ...reminder })) }
        : route,
    ),
  };
}

const REMINDER_SEND_ID = /-reminder-\d+(?:-\d+)?$/;

export interface ReminderAudit {
  /** Reminders sent (send ids with a Twilio message recorded). */
  readonly sent: number;
  /**
   * Reminders sent more than once as distinct transcript entries (the same silence and index
   * committed twice): each extra one. A second Twilio message for one entry is a duplicate send
   * already (its SID is on no entry).
   */
  readonly duplicates: number;
  readonly examples: readonly string[];
}

/** Counts reminder sends per (silence, index), from the soak customers' outbound transcript entries. */
export function auditReminders(outboundEntries: readonly Record<string, unknown>[]): ReminderAudit {
  const sentBySendId = new Map<string, number>();
  for (const entry of outboundEntries) {
    const sendId = String(entry.sendId ?? '');
    if (!REMINDER_SEND_ID.test(sendId) || typeof entry.sid !== 'string') continue;
    sentBySendId.set(sendId, (sentBySendId.get(sendId) ?? 0) + 1);
  }
  const repeated = [...sentBySendId].filter(([, count]) => count > 1);
  return {
    sent: sentBySendId.size,
    duplicates: repeated.reduce((total, [, count]) => total + count - 1, 0),
    examples: repeated.slice(0, 5).map(([sendId, count]) => `${sendId} sent ${count} times`),
  };
}
