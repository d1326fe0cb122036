import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkPoolNumbers,
  isValidPoolName,
  MAX_POOL_NUMBERS,
  type PoolMember,
  poolRate,
  stickySender,
  stickySenderChooser,
} from '../../../lambdas/domain/number-pool';
import { segmentsPerSecondFor } from '../../../lambdas/domain/send-pacing';

/** Customers as they come in a campaign's file: numbers that often differ only in their last digits. */
function customers(count: number, prefix = '+1555'): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}${String(index).padStart(7, '0')}`);
}

const number = fc.integer({ min: 0, max: 9_999_999 }).map((n) => `+1202${String(n).padStart(7, '0')}`);
/** A rate as `number put --segments-per-second` takes it, or none (the kind's default). */
const rate = fc.option(fc.double({ min: 0.1, max: 1000, noNaN: true }), { nil: undefined });
const member = fc
  .tuple(number, rate)
  .map(([n, r]): PoolMember => (r === undefined ? { number: n } : { number: n, segmentsPerSecond: r }));
const pool = fc.uniqueArray(member, { minLength: 1, maxLength: 12, selector: (m) => m.number });
const poolAndShuffle = pool.chain((members) =>
  fc.tuple(
    fc.constant(members),
    fc.shuffledSubarray(members, { minLength: members.length, maxLength: members.length }),
  ),
);
const customer = fc.integer({ min: 0, max: 99_999_999 }).map((n) => `+44${String(n).padStart(10, '0')}`);

describe('pool names and numbers', () => {
  it.each(['a', 'spring-sale', 'x'.repeat(64), '2026'])('accepts the name %j', (name) => {
    expect(isValidPoolName(name)).toBe(true);
  });

  it.each(['', 'x'.repeat(65), 'Spring', 'a#b', 'a b', 'a_b', 'é'])('refuses the name %j', (name) => {
    expect(isValidPoolName(name)).toBe(false);
  });

  it('stores each number once, sorted', () => {
    expect(checkPoolNumbers(['+15005550102', '+15005550101', '+15005550102'])).toEqual({
      ok: true,
      numbers: ['+15005550101', '+15005550102'],
    });
  });

  it(`refuses no numbers, more than ${MAX_POOL_NUMBERS}, and numbers that are not E.164`, () => {
    expect(checkPoolNumbers([])).toEqual({ ok: false, reason: 'a pool needs at least one number' });
    const many = Array.from(
      { length: MAX_POOL_NUMBERS + 1 },
      (_, i) => `+1500555${String(i).padStart(4, '0')}`,
    );
    expect(checkPoolNumbers(many)).toEqual({
      ok: false,
      reason: `a pool holds at most ${MAX_POOL_NUMBERS} numbers (${MAX_POOL_NUMBERS + 1} given)`,
    });
    expect(checkPoolNumbers(many.slice(0, MAX_POOL_NUMBERS))).toMatchObject({ ok: true });
    // Duplicates do not count toward the bound.
    expect(checkPoolNumbers([...many.slice(0, MAX_POOL_NUMBERS), many[0] as string])).toMatchObject({
      ok: true,
    });
    expect(checkPoolNumbers(['+15005550101', '5005550102', '12345'])).toEqual({
      ok: false,
      reason: 'not an E.164 number: 5005550102, 12345',
    });
  });
});

describe('poolRate', () => {
  it("adds each number's configured rate, else its kind's default, counting a number once", () => {
    expect(
      poolRate([
        { number: '+15005550101' },
        { number: '+18005550100' },
        { number: '+15005550102', segmentsPerSecond: 10 },
        { number: '+15005550102', segmentsPerSecond: 10 },
      ]),
    ).toBe(1 + 3 + 10);
    expect(poolRate([])).toBe(0);
  });

  it('is the sum of the rates the sender paces each number at', () => {
    fc.assert(
      fc.property(pool, (members) => {
        const expected = members.reduce(
          (sum, m) => sum + segmentsPerSecondFor(m.number, m.segmentsPerSecond),
          0,
        );
        expect(poolRate(members)).toBeCloseTo(expected, 9);
      }),
    );
  });
});

describe('stickySender (weighted rendezvous hashing)', () => {
  const demoPool: PoolMember[] = [
    { number: '+15005550101' },
    { number: '+15005550102', segmentsPerSecond: 2 },
    { number: '+18005550103' },
  ];

  it('keeps its choices from release to release (a campaign in flight over an upgrade)', () => {
    expect(customers(8).map((c) => stickySender(demoPool, c))).toMatchInlineSnapshot(`
      [
        "+18005550103",
        "+18005550103",
        "+18005550103",
        "+15005550102",
        "+15005550102",
        "+18005550103",
        "+15005550102",
        "+15005550102",
      ]
    `);
  });

  it('refuses an empty pool', () => {
    expect(() => stickySender([], '+15551230001')).toThrow(RangeError);
  });

  it('gives a customer the same pool number every time, whatever the order of the pool or repeats in it', () => {
    fc.assert(
      fc.property(poolAndShuffle, customer, ([members, shuffled], who) => {
        const chosen = stickySender(members, who);
        expect(members.map((m) => m.number)).toContain(chosen);
        expect(stickySender(members, who)).toBe(chosen);
        expect(stickySender([...shuffled, ...members], who)).toBe(chosen);
      }),
    );
  });

  it('moves only the customers an added number wins, and only to it', () => {
    fc.assert(
      fc.property(pool, member, (members, added) => {
        fc.pre(!members.some((m) => m.number === added.number));
        const before = stickySenderChooser(members);
        const after = stickySenderChooser([...members, added]);
        for (const who of customers(300)) {
          const moved = after(who);
          if (moved !== before(who)) expect(moved).toBe(added.number);
        }
      }),
    );
  });

  it("moves only a removed number's customers", () => {
    fc.assert(
      fc.property(pool, fc.nat(), (members, pick) => {
        fc.pre(members.length >= 2);
        const removed = (members[pick % members.length] as PoolMember).number;
        const before = stickySenderChooser(members);
        const after = stickySenderChooser(members.filter((m) => m.number !== removed));
        for (const who of customers(300)) {
          const was = before(who);
          if (was !== removed) expect(after(who)).toBe(was);
        }
      }),
    );
  });

  it('moves customers only to or from a number whose rate changed', () => {
    fc.assert(
      fc.property(
        pool,
        fc.nat(),
        fc.double({ min: 0.1, max: 1000, noNaN: true }),
        (members, pick, newRate) => {
          const changed = (members[pick % members.length] as PoolMember).number;
          const before = stickySenderChooser(members);
          const after = stickySenderChooser(
            members.map((m) => (m.number === changed ? { number: m.number, segmentsPerSecond: newRate } : m)),
          );
          for (const who of customers(300)) {
            const was = before(who);
            const now = after(who);
            if (now !== was) expect([was, now]).toContain(changed);
          }
        },
      ),
    );
  });

  it('gives each number customers in proportion to its rate', () => {
    const sample = customers(20_000);
    fc.assert(
      fc.property(pool, (members) => {
        const choose = stickySenderChooser(members);
        const counts = new Map<string, number>();
        for (const who of sample) {
          const chosen = choose(who);
          counts.set(chosen, (counts.get(chosen) ?? 0) + 1);
        }
        const total = poolRate(members);
        for (const m of members) {
          const expected = segmentsPerSecondFor(m.number, m.segmentsPerSecond) / total;
          const observed = (counts.get(m.number) ?? 0) / sample.length;
          // Five standard errors of a binomial share: a fair hash stays inside but for ~1 in 10^6.
          const tolerance = 5 * Math.sqrt((expected * (1 - expected)) / sample.length) + 1e-9;
          expect(
            Math.abs(observed - expected),
            `${m.number}: ${observed} vs ${expected}`,
          ).toBeLessThanOrEqual(tolerance);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('spreads a full pool of equal numbers evenly', () => {
    const full = Array.from({ length: MAX_POOL_NUMBERS }, (_, i) => ({
      number: `+1500555${String(i).padStart(4, '0')}`,
    }));
    const choose = stickySenderChooser(full);
    const counts = new Map<string, number>();
    for (const who of customers(40_000)) {
      const chosen = choose(who);
      counts.set(chosen, (counts.get(chosen) ?? 0) + 1);
    }
    expect(counts.size).toBe(MAX_POOL_NUMBERS);
    // 100 each expected, a standard deviation of ~10: every number within five of them.
    for (const count of counts.values()) expect(Math.abs(count - 100)).toBeLessThanOrEqual(50);
  });
});
