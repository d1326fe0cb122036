import { parseQuietHours } from '../campaign/quiet-hours';
import { resolveRecipientTimeZone } from '../campaign/recipient-timezone';
import type { ReminderQuietHours } from './reminders';

/**
 * The tenant's quiet hours (`smsctl tenant put --quiet-hours 21:00-08:00`) as its profile stores
 * them: the text, kept only when it still reads (a value edited by hand into nonsense is as none).
 */
export function tenantQuietHoursOf(
  profile: Readonly<Record<string, unknown>> | undefined,
): string | undefined {
  const value = profile?.quietHours;
  return typeof value === 'string' && parseQuietHours(value).ok ? value : undefined;
}

/**
 * The quiet hours a reminder to `customer` keeps, on the customer's clock: the zone of the number's
 * country when the whole country keeps one time, else the workflow's `timeZone` (UTC without one),
 * as campaigns read a recipient's (recipient-timezone.ts). Undefined: the tenant has none.
 */
export function reminderQuietHours(
  quietHours: string | undefined,
  customer: string,
  workflowTimeZone: string | undefined,
  now: Date,
): ReminderQuietHours | undefined {
  if (quietHours === undefined) return undefined;
  const parsed = parseQuietHours(quietHours);
  if (!parsed.ok) return undefined;
  const { timeZone } = resolveRecipientTimeZone({ phone: customer }, workflowTimeZone ?? 'UTC', now);
  return { quietHours: parsed.quietHours, timeZone };
}
