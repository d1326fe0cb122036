import { describe, expect, it } from 'vitest';
import { CachedCampaignStates } from '../../../lambdas/adapters/cached-campaign-states';
import type { CampaignState } from '../../../lambdas/domain/campaign/campaign';
import type { CampaignStates } from '../../../lambdas/ports/campaign-states';

/** A source whose answers the test sets, counting reads; `failNext` makes the next read fail. */
class CountingSource implements CampaignStates {
  readonly states = new Map<string, CampaignState>();
  reads = 0;
  failNext = false;
  async stateOf(_tenantId: string, campaignId: string): Promise<CampaignState | undefined> {
    this.reads++;
    await Promise.resolve();
    if (this.failNext) {
      this.failNext = false;
      throw new Error('throttled');
    }
    return this.states.get(campaignId);
  }
}

function cached(ttlMs = 5_000) {
  let nowMs = 1_000_000;
  const source = new CountingSource();
  const states = new CachedCampaignStates(source, ttlMs, () => nowMs);
  return { source, states, advance: (ms: number) => (nowMs += ms) };
}

describe('cached campaign states', () => {
  it('reads a campaign once for a burst, concurrent asks included', async () => {
    const { source, states } = cached();
    source.states.set('cmp-a', 'running');
    const answers = await Promise.all(Array.from({ length: 10 }, () => states.stateOf('demo', 'cmp-a')));
    expect(answers).toEqual(Array.from({ length: 10 }, () => 'running'));
    expect(await states.stateOf('demo', 'cmp-a')).toBe('running');
    expect(source.reads).toBe(1);
  });

  it('sees a cancel once its answer is older than the time it is kept', async () => {
    const { source, states, advance } = cached(5_000);
    source.states.set('cmp-a', 'running');
    await states.stateOf('demo', 'cmp-a');
    source.states.set('cmp-a', 'cancelled');
    advance(4_999);
    expect(await states.stateOf('demo', 'cmp-a')).toBe('running');
    advance(1);
    expect(await states.stateOf('demo', 'cmp-a')).toBe('cancelled');
    expect(source.reads).toBe(2);
  });

  it('keeps campaigns and tenants apart', async () => {
    const { source, states } = cached();
    source.states.set('cmp-a', 'running');
    source.states.set('cmp-b', 'cancelled');
    expect(await states.stateOf('demo', 'cmp-a')).toBe('running');
    expect(await states.stateOf('demo', 'cmp-b')).toBe('cancelled');
    expect(await states.stateOf('other', 'cmp-a')).toBe('running');
    expect(source.reads).toBe(3);
  });

  it('does not keep a failed read: the next ask reads again', async () => {
    const { source, states } = cached();
    source.states.set('cmp-a', 'cancelled');
    source.failNext = true;
    await expect(states.stateOf('demo', 'cmp-a')).rejects.toThrow('throttled');
    expect(await states.stateOf('demo', 'cmp-a')).toBe('cancelled');
    expect(source.reads).toBe(2);
  });

  it('remembers that a campaign does not exist, for as long as any answer', async () => {
    const { source, states, advance } = cached();
    expect(await states.stateOf('demo', 'cmp-gone')).toBeUndefined();
    advance(1_000);
    expect(await states.stateOf('demo', 'cmp-gone')).toBeUndefined();
    expect(source.reads).toBe(1);
  });
});
