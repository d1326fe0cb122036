import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fingerprintOf,
  isValidIdempotencyKey,
  type OutboundStart,
  parseOutboundStart,
  startIdFor,
} from '../../../lambdas/domain/outbound-request';

const FROM = '+15005550006';
const TO = '+15551234567';

describe('parseOutboundStart', () => {
  it('reads a workflow start with variables and a single message', () => {
    expect(
      parseOutboundStart({ from: FROM, to: TO, workflowId: 'order-status', variables: { a: '1' } }),
    ).toEqual({
      ok: true,
      start: { kind: 'workflow', from: FROM, to: TO, workflowId: 'order-status', variables: { a: '1' } },
    });
    expect(parseOutboundStart({ from: FROM, to: TO, body: 'Hi' })).toEqual({
      ok: true,
      start: { kind: 'message', from: FROM, to: TO, body: 'Hi' },
    });
  });

  it.each([
    [null, /JSON object/],
    [[], /JSON object/],
    [{ from: FROM, to: TO }, /exactly one of workflowId and body/],
    [{ from: FROM, to: TO, workflowId: 'w', body: 'x' }, /exactly one of workflowId and body/],
    [{ from: '5550006', to: TO, body: 'x' }, /from must be an E\.164/],
    [{ from: FROM, to: 15551234567, body: 'x' }, /to must be an E\.164/],
    [{ from: FROM, to: FROM, body: 'x' }, /must differ/],
    [{ from: FROM, to: TO, body: '   ' }, /non-empty/],
    [{ from: FROM, to: TO, body: 'x'.repeat(1601) }, /over 1600/],
    [{ from: FROM, to: TO, body: 'x', variables: {} }, /go with workflowId/],
    [{ from: FROM, to: TO, workflowId: 'Bad Id' }, /workflowId must be/],
    [{ from: FROM, to: TO, workflowId: 'w', variables: { 'a-b': 'x' } }, /letters, digits and underscores/],
    [{ from: FROM, to: TO, workflowId: 'w', variables: { a: 1 } }, /variable a must be a string/],
    [{ from: FROM, to: TO, workflowId: 'w', variables: ['x'] }, /object of strings/],
    [{ from: FROM, to: TO, workflowId: 'w', template: 'x' }, /unknown field\(s\): template/],
  ])('refuses %j with a reason', (input, reason) => {
    const parsed = parseOutboundStart(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});

describe('idempotency', () => {
  it('fingerprints the request, not the order its fields came in', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[a-z_]{1,8}$/), fc.string({ maxLength: 20 }), { maxKeys: 6 }),
        (variables) => {
          const start: OutboundStart = { kind: 'workflow', from: FROM, to: TO, workflowId: 'w', variables };
          const reversed = Object.fromEntries(Object.entries(variables).reverse());
          expect(fingerprintOf({ ...start, variables: reversed })).toBe(fingerprintOf(start));
        },
      ),
    );
    expect(fingerprintOf({ kind: 'message', from: FROM, to: TO, body: 'a' })).not.toBe(
      fingerprintOf({ kind: 'message', from: FROM, to: TO, body: 'b' }),
    );
  });

  it('derives the same start id from the same key, per tenant; a fresh one without a key', () => {
    const random = () => Math.random().toString(16).slice(2);
    expect(startIdFor('acme', 'k1', random)).toBe(startIdFor('acme', 'k1', random));
    expect(startIdFor('acme', 'k1', random)).not.toBe(startIdFor('other', 'k1', random));
    expect(startIdFor('acme', undefined, random)).not.toBe(startIdFor('acme', undefined, random));
  });

  it('accepts printable ASCII keys up to 255 characters', () => {
    expect(isValidIdempotencyKey('3f1c-order-123')).toBe(true);
    expect(isValidIdempotencyKey('')).toBe(false);
    expect(isValidIdempotencyKey('has space')).toBe(false);
    expect(isValidIdempotencyKey('x'.repeat(256))).toBe(false);
  });
});
