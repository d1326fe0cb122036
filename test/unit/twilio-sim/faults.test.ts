import { describe, expect, it } from 'vitest';
import { FaultDice, NO_FAULTS, parseFaultSettings } from '../../../local/twilio-sim/faults';

describe('parseFaultSettings', () => {
  it('accepts a full document', () => {
    const input = {
      api429: 0.1,
      api500: 0.05,
      apiSlowMs: 2000,
      apiSlowRate: 0.1,
      duplicateCallbacks: 0.2,
      duplicateInbound: 0.1,
      reorderCallbacks: 0.2,
      undelivered: 0.1,
      undeliveredErrorCode: 30007,
    };
    expect(parseFaultSettings(input)).toEqual({ ok: true, value: input });
  });

  it('turns off everything a document leaves out', () => {
    expect(parseFaultSettings({ api500: 1 })).toEqual({ ok: true, value: { ...NO_FAULTS, api500: 1 } });
    expect(parseFaultSettings({})).toEqual({ ok: true, value: NO_FAULTS });
  });

  it.each([
    { name: 'not an object', input: [1] },
    { name: 'null', input: null },
    { name: 'rate above 1', input: { api429: 1.5 } },
    { name: 'negative rate', input: { undelivered: -0.1 } },
    { name: 'rate as string', input: { api500: '0.5' } },
    { name: 'NaN-like rate', input: { duplicateCallbacks: null } },
    { name: 'fractional delay', input: { apiSlowMs: 1.5 } },
    { name: 'negative delay', input: { apiSlowMs: -1 } },
    { name: 'unknown error code', input: { undeliveredErrorCode: 21211 } },
    { name: 'unknown key', input: { api503: 0.1 } },
  ])('rejects $name', ({ input }) => {
    expect(parseFaultSettings(input).ok).toBe(false);
  });
});

describe('FaultDice', () => {
  it('never fires at 0 and always at 1, whatever the draw', () => {
    for (const draw of [0, 0.5, 0.999999]) {
      const dice = new FaultDice(() => draw);
      expect(dice.roll(0)).toBe(false);
      expect(dice.roll(1)).toBe(true);
    }
  });

  it('fires when the draw is below the rate', () => {
    expect(new FaultDice(() => 0.2).roll(0.3)).toBe(true);
    expect(new FaultDice(() => 0.3).roll(0.3)).toBe(false);
  });
});
