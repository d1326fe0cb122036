import type { ConsoleTenant, ConversationSummary } from '../api-types';
import { api } from './api-client';
import { byId, ChangeGate, fillSelect, h } from './dom';
import { clockTime } from './format';
import { messageItem } from './message-view';

/** One conversation: a customer with one of the tenant's numbers. */
interface Selection {
  readonly customer: string;
  readonly businessNumber: string;
}

const sameConversation = (a: Selection | undefined, b: Selection | undefined) =>
  a !== undefined && a.customer === b?.customer && a.businessNumber === b.businessNumber;

const isSelected = (button: HTMLElement, selection: Selection | undefined) =>
  sameConversation(
    { customer: button.dataset.customer ?? '', businessNumber: button.dataset.number ?? '' },
    selection,
  );

/**
 * A tenant's conversations, newest first; choosing one shows its transcript and variables. A
 * customer who texts two of the tenant's numbers has two conversations, listed apart.
 */
export class ConversationsPanel {
  private readonly tenant = byId('conversations-tenant', HTMLSelectElement);
  private readonly list = byId('conversation-list', HTMLUListElement);
  private readonly empty = byId('conversations-empty', HTMLParagraphElement);
  private readonly transcript = byId('transcript', HTMLElement);
  private readonly title = byId('transcript-title', HTMLHeadingElement);
  private readonly summary = byId('transcript-summary', HTMLParagraphElement);
  private readonly variables = byId('transcript-variables', HTMLDListElement);
  private readonly noVariables = byId('transcript-no-variables', HTMLParagraphElement);
  private readonly messages = byId('transcript-messages', HTMLOListElement);
  private readonly gate = new ChangeGate();
  private selected: Selection | undefined;

  constructor() {
    this.tenant.addEventListener('change', () => {
      this.selected = undefined;
      this.transcript.hidden = true;
      void this.refresh();
    });
  }

  setTenants(tenants: readonly ConsoleTenant[]): void {
    fillSelect(
      this.tenant,
      tenants.map((tenant) => ({ value: tenant.tenantId, label: `${tenant.name} (${tenant.tenantId})` })),
    );
  }

  async refresh(): Promise<void> {
    if (!this.tenant.value) return;
    const conversations = await api.conversations(this.tenant.value);
    if (this.gate.changed(`list:${this.tenant.value}`, { conversations, selected: this.selected })) {
      this.renderList(conversations);
    }
    if (this.selected) await this.refreshTranscript(this.selected);
  }

  private renderList(conversations: readonly ConversationSummary[]): void {
    // Rebuilding the list must not throw the keyboard user's focus away.
    const active = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    const focused = active?.dataset.customer
      ? { customer: active.dataset.customer, businessNumber: active.dataset.number ?? '' }
      : undefined;
    this.list.replaceChildren(
      ...conversations.map((conversation) => {
        const selection = { customer: conversation.customer, businessNumber: conversation.businessNumber };
        const button = h(
          'button',
          {
            type: 'button',
            'data-customer': conversation.customer,
            'data-number': conversation.businessNumber,
            'aria-pressed': sameConversation(selection, this.selected) ? 'true' : 'false',
          },
          `${conversation.customer} → ${conversation.businessNumber} · ${conversation.status} · ${conversation.routeId ?? conversation.workflowId} · last message ${clockTime(conversation.lastActivityAt)}`,
        );
        button.addEventListener('click', () => void this.select(selection));
        return h('li', {}, button);
      }),
    );
    this.empty.hidden = conversations.length > 0;
    if (focused)
      [...this.list.querySelectorAll<HTMLButtonElement>('button')]
        .find((button) => isSelected(button, focused))
        ?.focus();
  }

  private async select(selection: Selection): Promise<void> {
    this.selected = selection;
    for (const button of this.list.querySelectorAll('button')) {
      button.setAttribute('aria-pressed', isSelected(button, selection) ? 'true' : 'false');
    }
    await this.refreshTranscript(selection);
    this.transcript.hidden = false;
  }

  private async refreshTranscript(selection: Selection): Promise<void> {
    const { customer, businessNumber } = selection;
    const detail = await api.conversation(this.tenant.value, customer, businessNumber);
    if (!this.gate.changed('transcript', detail)) return;
    const conversation = detail.conversation;
    this.title.textContent = `Transcript: ${customer} with ${businessNumber}`;
    this.summary.textContent = conversation
      ? `Workflow ${conversation.workflowId}, route ${conversation.routeId ?? 'not chosen yet'}, status ${conversation.status}; started ${clockTime(conversation.startedAt)}.`
      : 'No conversation state (the messages did not start a conversation).';
    const variables = Object.entries(conversation?.variables ?? {});
    this.variables.replaceChildren(
      ...variables.flatMap(([name, value]) => [h('dt', {}, name), h('dd', { 'data-variable': name }, value)]),
    );
    this.noVariables.hidden = variables.length > 0;
    this.messages.replaceChildren(...detail.transcript.map((entry) => messageItem(entry, 'transcript')));
  }
}
