import type {
  ConsoleCampaign,
  ConsoleCampaignAction,
  ConsoleCampaignProgress,
  ConsoleTenant,
} from '../api-types';
import { api } from './api-client';
import { byId, ChangeGate, fillSelect, h } from './dom';
import { dayAndTime, percent } from './format';

const ACTIONS: readonly ConsoleCampaignAction[] = ['pause', 'resume', 'cancel'];
const ACTION_WORDS: Readonly<Record<ConsoleCampaignAction, string>> = {
  pause: 'Pausing',
  resume: 'Resuming',
  cancel: 'Cancelling',
};

/** Who sends: a number, a pool (how many numbers), or the tenant's Messaging Service. */
function senderOf(campaign: ConsoleCampaign): string {
  if (campaign.pool !== undefined) return `pool ${campaign.pool} (${campaign.numbers?.length ?? 0} numbers)`;
  if (campaign.messagingService) return `Messaging Service (${campaign.from ?? ''})`;
  return campaign.from ?? '';
}

function contentOf(campaign: ConsoleCampaign): string {
  if (campaign.workflowId === undefined) return 'a text';
  return `workflow ${campaign.workflowId}${campaign.routeId !== undefined ? ` (route ${campaign.routeId})` : ''}`;
}

/** A recipient is done once skipped or once its message ended (delivered, undelivered, failed, cancelled). */
function doneOf(progress: ConsoleCampaignProgress): number {
  return (
    progress.skipped.total + progress.delivered + progress.undelivered + progress.failed + progress.cancelled
  );
}

/** Recipients not released yet: waiting, or never to be once the campaign is cancelled. */
function pendingLabel(state: string): string {
  if (state === 'cancelled') return 'Not released (cancelled)';
  if (state === 'paused') return 'Waiting for a resume';
  return 'Waiting to be released';
}

/** The figures in the order a campaign moves through them, with the key tests read. */
function figures(campaign: ConsoleCampaign): readonly [string, string, string][] {
  const { progress } = campaign;
  return [
    ['total', 'Recipients', String(progress.total)],
    ['pending', pendingLabel(campaign.state), String(progress.pending)],
    ['queued', 'Queued', String(progress.queued)],
    ['sent', 'Sent', String(progress.sent)],
    ['delivered', 'Delivered', String(progress.delivered)],
    ['undelivered', 'Undelivered', String(progress.undelivered)],
    ['failed', 'Failed', String(progress.failed)],
    ['cancelled', 'Cancelled before sending', String(progress.cancelled)],
    ['optedOut', 'Opted out after the message', String(progress.optedOut)],
    ['replied', 'Replied', String(progress.replied)],
    ['completed', 'Completed the workflow', String(progress.completed)],
    ['deliveryRate', 'Delivery rate', percent(progress.deliveryRate)],
  ];
}

function skippedRows(progress: ConsoleCampaignProgress): readonly [string, string, number][] {
  const { skipped } = progress;
  return [
    ['invalid', 'Invalid row', skipped.invalid],
    ['duplicate', 'Duplicate number', skipped.duplicate],
    ['optedOut', 'Opted out before', skipped.optedOut],
    ['conversationActive', 'In another conversation', skipped.conversationActive],
    ['total', 'All skipped', skipped.total],
  ];
}

/**
 * A tenant's campaigns, newest first; choosing one shows its progress, refreshed with every poll,
 * and the pause, resume and cancel its state allows (decided by the server's state machine).
 */
export class CampaignsPanel {
  private readonly tenant = byId('campaigns-tenant', HTMLSelectElement);
  private readonly list = tbody('campaign-list');
  private readonly empty = byId('campaigns-empty', HTMLParagraphElement);
  private readonly detail = byId('campaign-detail', HTMLElement);
  private readonly title = byId('campaign-title', HTMLHeadingElement);
  private readonly summary = byId('campaign-summary', HTMLParagraphElement);
  private readonly bar = byId('campaign-progress', HTMLProgressElement);
  private readonly barText = byId('campaign-progress-text', HTMLParagraphElement);
  private readonly figures = tbody('campaign-figures');
  private readonly skipped = tbody('campaign-skipped');
  private readonly result = byId('campaign-result', HTMLParagraphElement);
  private readonly buttons = new Map(
    ACTIONS.map((action) => [action, byId(`campaign-${action}`, HTMLButtonElement)] as const),
  );
  private readonly gate = new ChangeGate();
  private selected: string | undefined;
  private busy = false;

  constructor() {
    this.tenant.addEventListener('change', () => {
      this.selected = undefined;
      this.detail.hidden = true;
      this.result.textContent = '';
      void this.refresh();
    });
    for (const [action, button] of this.buttons)
      button.addEventListener('click', () => void this.control(action));
  }

  setTenants(tenants: readonly ConsoleTenant[]): void {
    fillSelect(
      this.tenant,
      tenants.map((tenant) => ({ value: tenant.tenantId, label: `${tenant.name} (${tenant.tenantId})` })),
    );
  }

  async refresh(): Promise<void> {
    if (!this.tenant.value) return;
    const { campaigns, more } = await api.campaigns(this.tenant.value);
    if (this.gate.changed(`list:${this.tenant.value}`, { campaigns, selected: this.selected })) {
      this.renderList(campaigns, more);
    }
    const selected = campaigns.find((campaign) => campaign.campaignId === this.selected);
    if (selected) this.renderDetail(selected);
    else if (this.selected) this.renderDetail(await api.campaign(this.tenant.value, this.selected));
  }

  private renderList(campaigns: readonly ConsoleCampaign[], more: boolean): void {
    // Rebuilding the list must not throw the keyboard user's focus away.
    const active = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    const focused = this.list.contains(active ?? null) ? active?.dataset.campaign : undefined;
    this.list.replaceChildren(
      ...campaigns.map((campaign) => {
        const button = h(
          'button',
          {
            type: 'button',
            'data-campaign': campaign.campaignId,
            'aria-pressed': campaign.campaignId === this.selected ? 'true' : 'false',
          },
          campaign.name ?? campaign.campaignId,
        );
        button.addEventListener('click', () => this.select(campaign));
        return h(
          'tr',
          { 'data-campaign': campaign.campaignId },
          h('th', { scope: 'row' }, button),
          h('td', { 'data-field': 'state' }, campaign.state),
          h('td', { 'data-field': 'sender' }, senderOf(campaign)),
          h('td', { 'data-field': 'created' }, dayAndTime(campaign.createdAt)),
        );
      }),
    );
    this.empty.textContent =
      campaigns.length > 0
        ? more
          ? 'The 50 newest; smsctl campaign list pages the older ones.'
          : ''
        : 'No campaigns yet. Create one with npx smsctl --local campaign create.';
    this.empty.hidden = this.empty.textContent === '';
    if (focused)
      this.list.querySelector<HTMLButtonElement>(`button[data-campaign="${CSS.escape(focused)}"]`)?.focus();
  }

  private select(campaign: ConsoleCampaign): void {
    this.selected = campaign.campaignId;
    for (const button of this.list.querySelectorAll<HTMLButtonElement>('button'))
      button.setAttribute('aria-pressed', button.dataset.campaign === campaign.campaignId ? 'true' : 'false');
    this.result.textContent = '';
    this.renderDetail(campaign);
    this.detail.hidden = false;
  }

  private renderDetail(campaign: ConsoleCampaign): void {
    this.renderButtons(campaign);
    if (!this.gate.changed('detail', campaign)) return;
    const { progress } = campaign;
    this.detail.dataset.campaign = campaign.campaignId;
    this.detail.dataset.state = campaign.state;
    this.title.textContent = `Campaign ${campaign.name ?? campaign.campaignId}: ${campaign.state}`;
    this.summary.textContent =
      `${campaign.campaignId} sends ${contentOf(campaign)} from ${senderOf(campaign)}, ` +
      `starting ${dayAndTime(campaign.startAt)}` +
      `${campaign.quietHours !== undefined ? `, quiet hours ${campaign.quietHours} (default time zone ${campaign.timeZone})` : ''}` +
      `${campaign.recipientsComplete ? '' : '; recipients still being added'}.`;
    const done = doneOf(progress);
    this.bar.max = Math.max(progress.total, 1);
    this.bar.value = done;
    const share = progress.total === 0 ? 0 : Math.round((done / progress.total) * 100);
    this.barText.textContent =
      `${done} of ${progress.total} recipients done (${share} %): ` +
      `${progress.delivered} delivered, ${progress.undelivered + progress.failed} not delivered, ` +
      `${progress.cancelled} cancelled, ${progress.skipped.total} skipped; ` +
      `${progress.queued} released so far, ${progress.sent} sent; ` +
      `${pendingLabel(campaign.state).toLowerCase()}: ${progress.pending}.`;
    this.figures.replaceChildren(
      ...figures(campaign).map(([key, label, value]) =>
        h('tr', {}, h('th', { scope: 'row' }, label), h('td', { 'data-metric': key }, value)),
      ),
    );
    this.skipped.replaceChildren(
      ...skippedRows(progress).map(([key, label, value]) =>
        h('tr', {}, h('th', { scope: 'row' }, label), h('td', { 'data-skipped': key }, String(value))),
      ),
    );
  }

  private renderButtons(campaign: ConsoleCampaign): void {
    for (const [action, button] of this.buttons) {
      const allowed = campaign.actions.includes(action);
      button.disabled = this.busy || !allowed;
      button.title = allowed ? '' : `Not while the campaign is ${campaign.state}`;
    }
  }

  private async control(action: ConsoleCampaignAction): Promise<void> {
    const campaignId = this.selected;
    if (!campaignId || this.busy) return;
    this.busy = true;
    for (const button of this.buttons.values()) button.disabled = true;
    this.result.textContent = `${ACTION_WORDS[action]}…`;
    try {
      const result = await api.controlCampaign({ tenantId: this.tenant.value, campaignId, action });
      this.result.textContent = `Campaign ${result.changed ? 'is now' : 'was already'} ${result.campaign.state}.`;
      this.busy = false;
      this.renderDetail(result.campaign);
    } catch (error) {
      this.result.textContent = `Not changed: ${error instanceof Error ? error.message : String(error)}`;
      this.busy = false;
    }
    await this.refresh().catch(() => undefined);
  }
}

function tbody(tableId: string): HTMLTableSectionElement {
  const body = byId(tableId, HTMLTableElement).tBodies[0];
  if (!body) throw new Error(`#${tableId} has no tbody`);
  return body;
}
