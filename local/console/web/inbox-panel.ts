import type { ConsoleTenant, InboxConversation } from '../api-types';
import { api } from './api-client';
import { byId, ChangeGate, fillSelect, h } from './dom';
import { clockTime } from './format';
import { messageItem } from './message-view';

/** One handed-off conversation: a customer with one of the tenant's numbers. */
interface Selection {
  readonly customer: string;
  readonly businessNumber: string;
}

const REASONS: Readonly<Record<InboxConversation['reason'], string>> = {
  keyword: 'asked for a person',
  fallback: 'the bot fell back',
};

/**
 * The inbox: a tenant's handed-off conversations (the bot is silent in them), oldest first.
 * Choosing one shows its transcript and a box to answer it, and buttons to give it back to the bot;
 * each goes through the same use case as `smsctl conversation reply|release`.
 */
export class InboxPanel {
  private readonly tenant = byId('inbox-tenant', HTMLSelectElement);
  private readonly list = byId('inbox-list', HTMLUListElement);
  private readonly empty = byId('inbox-empty', HTMLParagraphElement);
  private readonly detail = byId('inbox-detail', HTMLElement);
  private readonly title = byId('inbox-detail-title', HTMLHeadingElement);
  private readonly messages = byId('inbox-messages', HTMLOListElement);
  private readonly form = byId('inbox-form', HTMLFormElement);
  private readonly body = byId('inbox-body', HTMLTextAreaElement);
  private readonly result = byId('inbox-result', HTMLParagraphElement);
  private readonly gate = new ChangeGate();
  private selected: Selection | undefined;

  constructor() {
    this.tenant.addEventListener('change', () => {
      this.selected = undefined;
      this.detail.hidden = true;
      void this.refresh();
    });
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.reply();
    });
    for (const mode of ['resume', 'restart'] as const)
      byId(`inbox-${mode}`, HTMLButtonElement).addEventListener('click', () => void this.release(mode));
  }

  setTenants(tenants: readonly ConsoleTenant[]): void {
    fillSelect(
      this.tenant,
      tenants.map((tenant) => ({ value: tenant.tenantId, label: `${tenant.name} (${tenant.tenantId})` })),
    );
  }

  async refresh(): Promise<void> {
    if (!this.tenant.value) return;
    const conversations = await api.inbox(this.tenant.value);
    if (this.gate.changed(`list:${this.tenant.value}`, { conversations, selected: this.selected }))
      this.renderList(conversations);
    if (this.selected) await this.refreshTranscript(this.selected);
  }

  private renderList(conversations: readonly InboxConversation[]): void {
    const focused =
      document.activeElement instanceof HTMLElement ? document.activeElement.dataset : undefined;
    this.list.replaceChildren(
      ...conversations.map((conversation) => {
        const selection = { customer: conversation.customer, businessNumber: conversation.businessNumber };
        const button = h(
          'button',
          {
            type: 'button',
            'data-customer': conversation.customer,
            'data-number': conversation.businessNumber,
            'aria-pressed': this.isSelected(selection) ? 'true' : 'false',
          },
          `${conversation.customer} → ${conversation.businessNumber} · ${REASONS[conversation.reason]} at ${clockTime(conversation.at)} · last message ${clockTime(conversation.lastActivityAt)}` +
            (conversation.optedOut ? ' · opted out (STOP): replies are refused' : ''),
        );
        button.addEventListener('click', () => void this.select(selection));
        return h('li', {}, button);
      }),
    );
    this.empty.hidden = conversations.length > 0;
    if (focused?.customer)
      [...this.list.querySelectorAll<HTMLButtonElement>('button')]
        .find(
          (button) =>
            button.dataset.customer === focused.customer && button.dataset.number === focused.number,
        )
        ?.focus();
  }

  private isSelected(selection: Selection): boolean {
    return (
      this.selected?.customer === selection.customer &&
      this.selected.businessNumber === selection.businessNumber
    );
  }

  private async select(selection: Selection): Promise<void> {
    this.selected = selection;
    this.result.textContent = '';
    for (const button of this.list.querySelectorAll<HTMLButtonElement>('button'))
      button.setAttribute(
        'aria-pressed',
        this.isSelected({
          customer: button.dataset.customer ?? '',
          businessNumber: button.dataset.number ?? '',
        })
          ? 'true'
          : 'false',
      );
    await this.refreshTranscript(selection);
    this.detail.hidden = false;
    this.body.focus();
  }

  private async refreshTranscript(selection: Selection): Promise<void> {
    const detail = await api.conversation(this.tenant.value, selection.customer, selection.businessNumber);
    if (!this.gate.changed('transcript', detail)) return;
    this.title.textContent = `Answer ${selection.customer} (on ${selection.businessNumber})`;
    this.messages.replaceChildren(...detail.transcript.map((entry) => messageItem(entry, 'transcript')));
  }

  private async reply(): Promise<void> {
    const selection = this.selected;
    const body = this.body.value.trim();
    if (!selection) return;
    if (body === '') {
      this.result.textContent = 'Write a message first.';
      return;
    }
    try {
      await api.inboxReply({ tenantId: this.tenant.value, ...selection, body });
      this.body.value = '';
      this.result.textContent =
        'Queued: it goes out through the sender like every reply; its status shows above.';
      await this.refreshTranscript(selection);
    } catch (error) {
      this.result.textContent = `Not sent: ${String(error instanceof Error ? error.message : error)}`;
    }
  }

  private async release(mode: 'resume' | 'restart'): Promise<void> {
    const selection = this.selected;
    if (!selection) return;
    try {
      const released = await api.inboxRelease({ tenantId: this.tenant.value, ...selection, mode });
      this.result.textContent =
        released.sends.length > 0
          ? `Back with the bot, which asked again: “${released.sends.map((send) => send.body).join(' ')}”`
          : "Back with the bot: the customer's next message starts the workflow.";
      this.selected = undefined;
      this.detail.hidden = true;
      this.list.focus();
      await this.refresh();
    } catch (error) {
      this.result.textContent = `Not released: ${String(error instanceof Error ? error.message : error)}`;
    }
  }
}
