import { api } from './api-client';
import { CampaignsPanel } from './campaigns-panel';
import { ConversationsPanel } from './conversations-panel';
import { DeliveryPanel } from './delivery-panel';
import { byId } from './dom';
import { FaultsPanel } from './faults-panel';
import { InboxPanel } from './inbox-panel';
import { clockTime } from './format';
import { PhonePanel } from './phone-panel';

/** The console page: loads the tenants, then polls the local stack once a second. */
const POLL_INTERVAL_MS = 1000;

async function start(): Promise<void> {
  const live = byId('live-status', HTMLParagraphElement);
  const updated = byId('live-updated', HTMLParagraphElement);
  const phone = new PhonePanel();
  const conversations = new ConversationsPanel();
  const inbox = new InboxPanel();
  const delivery = new DeliveryPanel();
  const campaigns = new CampaignsPanel();
  const phoneTenant = byId('phone-tenant', HTMLSelectElement);
  const phoneNumber = byId('phone-number', HTMLSelectElement);
  const faults = new FaultsPanel(() =>
    phoneTenant.value && phoneNumber.value
      ? { tenantId: phoneTenant.value, to: phoneNumber.value }
      : undefined,
  );

  let knownTenants = '';
  async function refreshTenants(): Promise<void> {
    const tenants = await api.tenants();
    const signature = JSON.stringify(tenants);
    if (signature === knownTenants) return;
    knownTenants = signature;
    phone.setTenants(tenants);
    conversations.setTenants(tenants);
    inbox.setTenants(tenants);
    campaigns.setTenants(tenants);
  }

  let failures = 0;
  async function poll(): Promise<void> {
    const results = await Promise.allSettled([
      refreshTenants().then(() =>
        Promise.all([phone.refresh(), conversations.refresh(), inbox.refresh(), campaigns.refresh()]),
      ),
      delivery.refresh(),
      faults.refresh(),
    ]);
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) {
      failures += 1;
      // Say so only when it persists: one slow poll is not news for a screen reader.
      if (failures >= 2)
        live.textContent = `The local stack is not answering (${String(failed.reason)}); retrying.`;
    } else {
      failures = 0;
      const state = 'Live: updates every second.';
      // Only changes of state go to the live region; the ticking clock sits outside it.
      if (live.textContent !== state) live.textContent = state;
      updated.textContent = `Last update ${clockTime(Date.now())}`;
    }
    window.setTimeout(() => void poll(), POLL_INTERVAL_MS);
  }
  await poll();
}

void start();
