import type { ConsoleTenant, TranscriptEntry } from '../api-types';
import { api } from './api-client';
import { byId, ChangeGate, fillSelect } from './dom';
import { messageItem } from './message-view';

const FINAL_STATUSES = new Set(['delivered', 'undelivered', 'failed', 'read']);

function isFinal(status: string): boolean {
  return FINAL_STATUSES.has(status);
}

/** The sample picture the local stack serves, attached when the customer sends an MMS. */
const SAMPLE_MEDIA_PATH = '/console/media/parcel.svg';

/** A phone: the customer texts a tenant's number and sees the bot's replies and their statuses. */
export class PhonePanel {
  private readonly tenant = byId('phone-tenant', HTMLSelectElement);
  private readonly number = byId('phone-number', HTMLSelectElement);
  private readonly customer = byId('phone-customer', HTMLInputElement);
  private readonly body = byId('phone-body', HTMLTextAreaElement);
  private readonly attach = byId('phone-attach', HTMLInputElement);
  private readonly send = byId('phone-send', HTMLButtonElement);
  private readonly thread = byId('phone-thread', HTMLOListElement);
  private readonly empty = byId('phone-empty', HTMLParagraphElement);
  private readonly result = byId('phone-result', HTMLParagraphElement);
  private readonly announcer = byId('phone-announcer', HTMLParagraphElement);
  /** Status of each reply already on screen, to announce only what is new. */
  private shownReplies = new Map<string, string>();
  /** Whose thread is on screen: a different one is shown silently, not announced as news. */
  private shownThread = '';
  private readonly gate = new ChangeGate();
  private tenants: readonly ConsoleTenant[] = [];

  constructor() {
    byId('phone-form', HTMLFormElement).addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit();
    });
    // Enter sends, Shift+Enter starts a new line, as in messaging apps.
    this.body.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        void this.submit();
      }
    });
    this.tenant.addEventListener('change', () => {
      this.fillNumbers();
      void this.refresh();
    });
    this.customer.addEventListener('change', () => void this.refresh());
  }

  setTenants(tenants: readonly ConsoleTenant[]): void {
    this.tenants = tenants;
    fillSelect(
      this.tenant,
      tenants.map((tenant) => ({ value: tenant.tenantId, label: `${tenant.name} (${tenant.tenantId})` })),
    );
    this.fillNumbers();
  }

  private fillNumbers(): void {
    const tenant = this.tenants.find((candidate) => candidate.tenantId === this.tenant.value);
    fillSelect(
      this.number,
      (tenant?.numbers ?? []).map((number) => ({
        value: number.number,
        label: `${number.number} (${number.workflowId})`,
      })),
    );
  }

  private customerNumber(): string | undefined {
    const value = this.customer.value.trim();
    return /^\+[1-9]\d{1,14}$/.test(value) ? value : undefined;
  }

  async refresh(): Promise<void> {
    const customer = this.customerNumber();
    if (!this.tenant.value || !customer) return;
    // A phone shows one thread per contact: the customer's conversation with this business number.
    const detail = await api.conversation(this.tenant.value, customer, this.number.value || undefined);
    if (!this.gate.changed('thread', detail.transcript)) return;
    this.announceChanges(`${this.tenant.value} ${this.number.value} ${customer}`, detail.transcript);
    const stickToBottom = this.thread.scrollTop + this.thread.clientHeight >= this.thread.scrollHeight - 8;
    this.thread.replaceChildren(...detail.transcript.map((entry) => messageItem(entry, 'phone')));
    this.empty.hidden = detail.transcript.length > 0;
    if (stickToBottom) this.thread.scrollTop = this.thread.scrollHeight;
  }

  /**
   * Rebuilding the thread would make a live region read it all again, so a separate one says only
   * what changed: a new reply, or a reply reaching its final status.
   */
  private announceChanges(thread: string, transcript: readonly TranscriptEntry[]): void {
    const firstRender = thread !== this.shownThread;
    this.shownThread = thread;
    const news: string[] = [];
    const shown = new Map<string, string>();
    for (const entry of transcript) {
      if (entry.direction !== 'outbound') continue;
      const status = entry.status ?? 'pending';
      const before = this.shownReplies.get(entry.key);
      if (before === undefined) news.push(`Reply: ${entry.body}`);
      else if (before !== status && isFinal(status)) news.push(`Reply ${status}.`);
      shown.set(entry.key, status);
    }
    this.shownReplies = shown;
    if (!firstRender && news.length > 0) this.announcer.textContent = news.join(' ');
  }

  private async submit(): Promise<void> {
    if (this.send.disabled) return;
    const customer = this.customerNumber();
    if (!customer) {
      this.result.textContent = 'Your number must be in E.164 form, for example +15551234567.';
      this.customer.focus();
      return;
    }
    const body = this.body.value;
    const mediaUrls = this.attach.checked ? [`${window.location.origin}${SAMPLE_MEDIA_PATH}`] : [];
    if (body.trim() === '' && mediaUrls.length === 0) {
      this.result.textContent = 'Type a message (or attach a picture) first.';
      this.body.focus();
      return;
    }
    this.send.disabled = true;
    try {
      const sent = await api.text({
        tenantId: this.tenant.value,
        from: customer,
        to: this.number.value,
        body,
        ...(mediaUrls.length > 0 ? { mediaUrls } : {}),
      });
      this.result.textContent = `Sent ${sent.messageSid}; the platform answered HTTP ${sent.status ?? 'nothing'}.`;
      this.body.value = '';
      this.attach.checked = false;
      await this.refresh();
    } catch (error) {
      this.result.textContent = `Not sent: ${String(error instanceof Error ? error.message : error)}`;
    } finally {
      this.send.disabled = false;
      this.body.focus();
    }
  }
}
