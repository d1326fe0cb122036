import type { CampaignState } from '../domain/campaign/campaign';
import type { CampaignStates } from '../ports/campaign-states';

/**
 * Campaign states remembered for `ttlMs` per warm container: a burst of a campaign's sends (a batch,
 * concurrent records) costs one read, and a cancel reaches the sender within `ttlMs`. Concurrent
 * asks for one campaign share one read; a failed read is not remembered.
 */
export class CachedCampaignStates implements CampaignStates {
  private readonly answers = new Map<
    string,
    { readonly until: number; readonly state: Promise<CampaignState | undefined> }
  >();

  constructor(
    private readonly source: CampaignStates,
    private readonly ttlMs: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  stateOf(tenantId: string, campaignId: string): Promise<CampaignState | undefined> {
    const key = `${tenantId}#${campaignId}`;
    const now = this.nowMs();
    const cached = this.answers.get(key);
    if (cached && cached.until > now) return cached.state;
    this.forgetExpired(now);
    const state = this.source.stateOf(tenantId, campaignId);
    const answer = { until: now + this.ttlMs, state };
    this.answers.set(key, answer);
    state.catch(() => {
      if (this.answers.get(key) === answer) this.answers.delete(key);
    });
    return state;
  }

  /** A container lives for hours and sees many campaigns: only the live answers are kept. */
  private forgetExpired(now: number): void {
    for (const [key, answer] of this.answers) if (answer.until <= now) this.answers.delete(key);
  }
}
