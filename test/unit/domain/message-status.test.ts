import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allowedPredecessors,
  canAdvance,
  deliveryOutcome,
  isFinalStatus,
  OUTBOUND_STATUSES,
  type OutboundStatus,
} from '../../../lambdas/domain/message-status';

const status = fc.constantFrom(...OUTBOUND_STATUSES);

/** Applies callbacks in the given order the way the store does: only forward moves stick. */
function fold(events: OutboundStatus[], initial: OutboundStatus = 'queued'): OutboundStatus {
  return events.reduce((current, next) => (canAdvance(current, next) ? next : current), initial);
}

describe('message status lifecycle', () => {
  it.each([
    ['queued', 'sent', true],
    ['sent', 'delivered', true],
    ['delivered', 'sent', false],
    ['delivered', 'delivered', false],
    ['delivered', 'undelivered', false],
    ['undelivered', 'delivered', false],
    ['failed', 'sent', false],
    ['delivered', 'read', true],
    ['undelivered', 'read', false],
    ['failed', 'read', false],
    ['read', 'delivered', false],
    ['accepted', 'queued', true],
    ['sending', 'queued', false],
  ] as const)('%s -> %s allowed: %s', (from, to, allowed) => {
    expect(canAdvance(from, to)).toBe(allowed);
  });

  it('a message with no status yet may take any status', () => {
    for (const next of OUTBOUND_STATUSES) expect(canAdvance(undefined, next)).toBe(true);
  });

  it('never moves backward, whatever order callbacks arrive in', () => {
    fc.assert(
      fc.property(fc.array(status, { maxLength: 12 }), (events) => {
        let current: OutboundStatus = 'queued';
        for (const next of events) {
          const advanced: OutboundStatus = canAdvance(current, next) ? next : current;
          if (advanced !== current) expect(canAdvance(advanced, current)).toBe(false);
          current = advanced;
        }
      }),
    );
  });

  it('ends in the same final status for any order of the same set of callbacks', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<OutboundStatus>('delivered', 'undelivered', 'failed'),
        fc.array(fc.constantFrom<OutboundStatus>('sending', 'sent'), { maxLength: 4 }),
        fc.integer({ min: 0, max: 2 }),
        (final, intermediate, duplicates) => {
          const events = [...intermediate, final, ...Array(duplicates).fill(final)];
          const shuffled = [...events].reverse();
          expect(fold(events)).toBe(final);
          expect(fold(shuffled)).toBe(final);
        },
      ),
    );
  });

  it('allowedPredecessors lists exactly the statuses canAdvance accepts', () => {
    fc.assert(
      fc.property(status, status, (current, next) => {
        expect(allowedPredecessors(next).includes(current)).toBe(canAdvance(current, next));
      }),
    );
  });

  it('counts only delivered, undelivered and failed toward the delivery rate', () => {
    expect(OUTBOUND_STATUSES.filter((value) => deliveryOutcome(value) !== undefined)).toEqual([
      'delivered',
      'undelivered',
      'failed',
    ]);
    for (const value of ['delivered', 'undelivered', 'failed', 'canceled', 'read'] as const) {
      expect(isFinalStatus(value)).toBe(true);
    }
    expect(isFinalStatus('sent')).toBe(false);
  });
});
