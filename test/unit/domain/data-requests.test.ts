import { InvalidRequestException, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportLineOf } from '../../../lambdas/adapters/dynamodb/data-requests';
import { keys } from '../../../lambdas/adapters/dynamodb/keys';
import { numberOwnerKey } from '../../../lambdas/adapters/dynamodb/tenant-admin';
import { isScheduledForDeletion } from '../../../lambdas/adapters/secrets-manager-credentials';
import {
  DEFAULT_RETENTION_DAYS,
  itemBelongsToTenant,
  itemKind,
  parseRetentionDays,
  parseSince,
  retentionDaysOf,
  suppressionHash,
} from '../../../lambdas/domain/data-requests';
import { lifecycleEventsOf, type TableChange } from '../../../lambdas/domain/events/from-changes';

const tenantIds = fc.stringMatching(/^[a-z0-9-]{2,40}$/);
const e164 = fc.stringMatching(/^\+[1-9]\d{7,14}$/);

describe('retention days', () => {
  it('takes every whole number of days from 1 to 3650, and nothing else', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3650 }), (days) => {
        expect(parseRetentionDays(String(days))).toEqual({ ok: true, days });
        expect(retentionDaysOf({ retentionDays: days })).toBe(days);
      }),
    );
    fc.assert(
      fc.property(fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 3651 })), (days) => {
        expect(parseRetentionDays(String(days)).ok).toBe(false);
        expect(retentionDaysOf({ retentionDays: days })).toBeUndefined();
      }),
    );
    for (const text of ['', ' ', '7.5', '1e2', '0x10', 'ninety', '90d', '+90'])
      expect(parseRetentionDays(text)).toMatchObject({ ok: false });
    expect(parseRetentionDays('0')).toEqual({
      ok: false,
      reason: 'must be a whole number of days from 1 to 3650, not "0"',
    });
  });

  it('a profile without one (or with a broken one) has none: the default applies', () => {
    expect(DEFAULT_RETENTION_DAYS).toBe(90);
    expect(retentionDaysOf(undefined)).toBeUndefined();
    expect(retentionDaysOf({})).toBeUndefined();
    expect(retentionDaysOf({ retentionDays: '30' })).toBeUndefined();
    expect(retentionDaysOf({ retentionDays: 2.5 })).toBeUndefined();
  });
});

describe('itemBelongsToTenant', () => {
  it("finds every kind of a tenant's item by its key, never another tenant's", () => {
    fc.assert(
      fc.property(tenantIds, tenantIds, e164, e164, (tenant, other, number, customer) => {
        fc.pre(tenant !== other);
        const mine = [
          keys.tenantProfile(tenant),
          keys.tenantNumber(tenant, number),
          keys.workflow(tenant, 'order-status'),
          keys.tenantPool(tenant, 'spring'),
          keys.conversationState({ tenantId: tenant, businessNumber: number, customer }),
          keys.transcriptEntry(tenant, customer, `2026-12-01T00:00:00.000Z#SM${'a'.repeat(32)}`),
          keys.languagePreference(tenant, customer),
          keys.optOut(tenant, customer),
          keys.optOutSuppression(tenant, suppressionHash(tenant, customer)),
          keys.idempotencyKey(tenant, `${other}#x`),
          keys.campaign(tenant, 'c1'),
          keys.campaignRecipient(tenant, 'c1', customer),
          keys.campaignListEntry(tenant, '2026-12-01T00:00:00.000Z', 'c1'),
          keys.webhookDelivery(tenant, 'w1'),
          { pk: `SOMETHINGNEW#${tenant}`, sk: 'X' },
        ];
        for (const key of mine) {
          expect(itemBelongsToTenant(key, tenant)).toBe(true);
          expect(itemBelongsToTenant(key, other)).toBe(false);
        }
        // Keyed by a SID or a number: theirs by the attribute only.
        for (const key of [
          keys.message(`SM${'b'.repeat(32)}`),
          numberOwnerKey(number),
          keys.sendPacing(number),
        ]) {
          expect(itemBelongsToTenant(key, tenant)).toBe(false);
          expect(itemBelongsToTenant({ ...key, tenantId: tenant }, tenant)).toBe(true);
          expect(itemBelongsToTenant({ ...key, tenantId: tenant }, other)).toBe(false);
        }
      }),
    );
  });
});

describe('itemKind', () => {
  it('names each kind for the report, and never a number or time taken from a key', () => {
    const customer = '+15557771234';
    expect(itemKind(keys.tenantProfile('t1'))).toBe('profile');
    expect(itemKind(keys.tenantNumber('t1', customer))).toBe('numbers');
    expect(itemKind(keys.workflow('t1', 'w'))).toBe('workflows');
    expect(itemKind(keys.tenantPool('t1', 'p'))).toBe('pools');
    expect(itemKind(keys.conversationState({ tenantId: 't1', businessNumber: customer, customer }))).toBe(
      'conversations',
    );
    expect(itemKind(keys.transcriptEntry('t1', customer, 'k'))).toBe('transcriptEntries');
    expect(itemKind(keys.languagePreference('t1', customer))).toBe('languagePreferences');
    expect(itemKind(keys.message('SM1'))).toBe('messages');
    expect(itemKind(keys.messageEvent('SM1', 'sent'))).toBe('messageEvents');
    expect(itemKind(keys.optOut('t1', customer))).toBe('optOuts');
    expect(itemKind(keys.idempotencyKey('t1', 'k'))).toBe('idempotencyKeys');
    expect(itemKind(keys.campaign('t1', 'c'))).toBe('campaigns');
    expect(itemKind(keys.campaignRecipient('t1', 'c', customer))).toBe('campaignRecipients');
    expect(itemKind(keys.campaignDue('t1', 'c', '0000000000001', customer))).toBe('campaignDueRecipients');
    expect(itemKind(keys.campaignListEntry('t1', '2026', 'c'))).toBe('campaignListEntries');
    expect(itemKind(keys.webhookDelivery('t1', 'w'))).toBe('webhookDeliveries');
    expect(itemKind(numberOwnerKey(customer))).toBe('numberOwners');
    expect(itemKind({ pk: 'TENANT#t1', sk: 'LATERKIND#x' })).toBe('tenant:laterkind');
    fc.assert(
      fc.property(e164, e164, (business, someone) => {
        const kind = itemKind({ pk: 'NEWTHING#t1', sk: `${business}#${someone}` });
        expect(kind).toBe('newthing');
      }),
    );
  });
});

describe('suppressionHash', () => {
  it('is stable, per tenant, and keeps no digits of the number', () => {
    fc.assert(
      fc.property(tenantIds, tenantIds, e164, e164, (tenant, other, customer, another) => {
        const hash = suppressionHash(tenant, customer);
        expect(hash).toMatch(/^[0-9a-f]{64}$/);
        expect(suppressionHash(tenant, customer)).toBe(hash);
        if (other !== tenant) expect(suppressionHash(other, customer)).not.toBe(hash);
        if (another !== customer) expect(suppressionHash(tenant, another)).not.toBe(hash);
        expect(keys.optOutSuppression(tenant, hash).pk).not.toContain(customer);
      }),
    );
  });
});

describe('parseSince', () => {
  it('takes a date (midnight UTC) or a time with its zone, as transcript keys write times', () => {
    expect(parseSince('2026-12-01')).toEqual({ ok: true, iso: '2026-12-01T00:00:00.000Z' });
    expect(parseSince('2026-12-01T09:30:00Z')).toEqual({ ok: true, iso: '2026-12-01T09:30:00.000Z' });
    expect(parseSince('2026-12-01T09:30+02:00')).toEqual({ ok: true, iso: '2026-12-01T07:30:00.000Z' });
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        (date) => {
          expect(parseSince(date.toISOString())).toEqual({ ok: true, iso: date.toISOString() });
        },
      ),
    );
  });

  it('refuses what is not one, a time without a zone, and days that do not exist', () => {
    for (const text of ['yesterday', '2026-12-01T09:30', '2026-02-30', '2026-13-01', '12/01/2026', ''])
      expect(parseSince(text)).toMatchObject({ ok: false });
  });
});

describe('exportLineOf', () => {
  const pk = 'CONV#t1#+15557771234';
  it('a state item is a conversation line with its status', () => {
    expect(
      exportLineOf(
        't1',
        {
          pk,
          sk: 'STATE#+15005550006',
          conversationId: 'SMc',
          workflowId: 'order-status',
          slots: { status: 'completed' },
          startedAt: 'a',
          lastActivityAt: 'b',
          conversationExpiresAt: 'c',
          expiresAt: 123,
        },
        new Map(),
      ),
    ).toEqual({
      type: 'conversation',
      tenantId: 't1',
      customer: '+15557771234',
      businessNumber: '+15005550006',
      conversationId: 'SMc',
      workflowId: 'order-status',
      status: 'completed',
      startedAt: 'a',
      lastActivityAt: 'b',
      expiresAt: 'c',
    });
  });

  it("a reply takes its message item's status; a failed send keeps its error; nothing internal leaks", () => {
    const reply = {
      pk,
      sk: 'MSG#2026#SMx-0',
      direction: 'outbound',
      conversationId: 'SMx',
      sendId: 'SMx-0',
      from: '+15005550006',
      to: '+15557771234',
      body: 'Hi',
      at: '2026',
      sid: 'SMy',
      sendState: 'sent',
      claimedAt: 'z',
      expiresAt: 1,
    };
    expect(
      exportLineOf('t1', reply, new Map([['SMy', { status: 'undelivered', errorCode: '30003' }]])),
    ).toEqual({
      type: 'message',
      tenantId: 't1',
      customer: '+15557771234',
      at: '2026',
      direction: 'outbound',
      conversationId: 'SMx',
      from: '+15005550006',
      to: '+15557771234',
      body: 'Hi',
      status: 'undelivered',
      errorCode: '30003',
      messageSid: 'SMy',
      sendId: 'SMx-0',
    });
    const { sid: _sid, ...unsent } = reply;
    expect(exportLineOf('t1', { ...unsent, sendState: 'failed', errorCode: 21610 }, new Map())).toMatchObject(
      { status: 'failed', errorCode: 21610 },
    );
    expect(exportLineOf('t1', { pk, sk: 'OTHER#x' }, new Map())).toBeUndefined();
  });
});

describe('isScheduledForDeletion', () => {
  it("is GetSecretValue's answer for a deleted tenant's secret, nothing else", () => {
    const marked = new InvalidRequestException({
      message: "You can't perform this operation on the secret because it was marked for deletion.",
      $metadata: {},
    });
    expect(isScheduledForDeletion(marked)).toBe(true);
    expect(
      isScheduledForDeletion(
        new InvalidRequestException({ message: 'The secret is managed by another service', $metadata: {} }),
      ),
    ).toBe(false);
    expect(isScheduledForDeletion(new ResourceNotFoundException({ message: 'gone', $metadata: {} }))).toBe(
      false,
    );
  });
});

describe('lifecycle events of a customer erase', () => {
  const customer = '+15557771234';
  const clear = keys.optOut('t1', customer);
  const hashed = keys.optOutSuppression('t1', suppressionHash('t1', customer));
  const at = '2026-12-03T15:00:00.000Z';
  const change = (kind: TableChange['kind'], key: { pk: string; sk: string }, images: Partial<TableChange>) =>
    lifecycleEventsOf({ kind, ...key, at, byTtl: false, ...images });

  it('moving an opt-out under its hash is neither an opt-out nor an opt-in, and tells no number', () => {
    const optedOut = { tenantId: 't1', customer, optedOutAt: '2026-12-01T00:00:00.000Z', source: 'keyword' };
    const marked = { ...optedOut, erasedAt: at };
    expect(change('MODIFY', clear, { oldImage: optedOut, newImage: marked })).toEqual([]);
    expect(change('REMOVE', clear, { oldImage: marked })).toEqual([]);
    expect(
      change('INSERT', hashed, {
        newImage: { tenantId: 't1', optedOutAt: optedOut.optedOutAt, source: 'erasure', erasedAt: at },
      }),
    ).toEqual([]);
    // START after the erasure removes the suppression: no event names a hash.
    expect(change('REMOVE', hashed, { oldImage: { tenantId: 't1', source: 'erasure' } })).toEqual([]);
    // An ordinary opt-in still is one: read from START's inbound entry (note optIn), never from a
    // deletion (lambdas/domain/events/from-changes.ts), so no deletion can look like an opt-in.
    expect(change('REMOVE', clear, { oldImage: optedOut })).toEqual([]);
    const startEntry = keys.transcriptEntry('t1', customer, `${at}#SMstart`);
    expect(
      change('INSERT', startEntry, {
        newImage: { direction: 'inbound', messageSid: 'SMstart', body: 'START', note: 'optIn', at },
      }).map((event) => event.type),
    ).toEqual(['message.received', 'customer.opted_in']);
  });
});
