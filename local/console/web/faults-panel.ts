import type { FaultSettings } from '../api-types';
import { api } from './api-client';
import { byId } from './dom';

/** The simulator's fault switches the console offers; other faults (set with curl) are kept as they are. */
const SWITCHES = ['api429', 'undelivered', 'duplicateCallbacks', 'duplicateInbound'] as const;
type Switch = (typeof SWITCHES)[number];

const LABELS: Readonly<Record<string, string>> = {
  api429: 'API 429',
  api500: 'API 500',
  apiSlowRate: 'slow API',
  undelivered: 'undelivered',
  duplicateCallbacks: 'duplicate callbacks',
  duplicateInbound: 'duplicate incoming webhooks',
  reorderCallbacks: 'callbacks out of order',
};

function describe(settings: FaultSettings): string {
  const on = Object.entries(LABELS)
    .filter(([key]) => (settings[key] ?? 0) > 0)
    .map(([key, label]) => {
      const rate = `${Math.round((settings[key] ?? 0) * 100)} %`;
      return key === 'undelivered'
        ? `${label} ${rate} (error ${settings.undeliveredErrorCode})`
        : `${label} ${rate}`;
    });
  return on.length > 0
    ? `Faults on: ${on.join(', ')}.`
    : 'No faults: the simulator behaves like a healthy Twilio.';
}

/** Switches for the Twilio simulator's fault injection (`/_sim/faults`), applied on every change. */
export class FaultsPanel {
  private readonly form = byId('faults-form', HTMLFormElement);
  private readonly status = byId('faults-status', HTMLParagraphElement);
  private readonly undeliveredCode = byId('fault-undelivered-code', HTMLSelectElement);
  private readonly trafficCount = byId('traffic-count', HTMLInputElement);
  private readonly trafficResult = byId('traffic-result', HTMLParagraphElement);
  private current: FaultSettings = {};

  constructor(private readonly trafficTarget: () => { tenantId: string; to: string } | undefined) {
    this.form.addEventListener('change', () => void this.apply());
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.apply();
    });
    byId('faults-reset', HTMLButtonElement).addEventListener('click', () => void this.reset());
    byId('traffic-form', HTMLFormElement).addEventListener('submit', (event) => {
      event.preventDefault();
      void this.sendTraffic();
    });
  }

  private toggle(key: Switch): HTMLInputElement {
    const input = this.form.elements.namedItem(key);
    if (!(input instanceof HTMLInputElement)) throw new Error(`no switch ${key}`);
    return input;
  }

  private rate(key: Switch): HTMLInputElement {
    return byId(`fault-${key}-rate`, HTMLInputElement);
  }

  async refresh(): Promise<void> {
    const settings = await api.faults();
    // Never overwrite what the user is in the middle of changing.
    if (this.form.contains(document.activeElement) && document.activeElement !== document.body) {
      this.current = settings;
      this.status.textContent = describe(settings);
      return;
    }
    this.show(settings);
  }

  private show(settings: FaultSettings): void {
    this.current = settings;
    for (const key of SWITCHES) {
      const rate = settings[key] ?? 0;
      this.toggle(key).checked = rate > 0;
      if (rate > 0) this.rate(key).value = String(Math.round(rate * 100));
    }
    if (settings.undeliveredErrorCode !== undefined)
      this.undeliveredCode.value = String(settings.undeliveredErrorCode);
    this.status.textContent = describe(settings);
  }

  private async apply(): Promise<void> {
    const settings: Record<string, number> = { ...this.current };
    for (const key of SWITCHES) {
      const percentValue = Math.min(Math.max(Number(this.rate(key).value) || 100, 1), 100);
      settings[key] = this.toggle(key).checked ? percentValue / 100 : 0;
    }
    settings.undeliveredErrorCode = Number(this.undeliveredCode.value);
    try {
      this.show(await api.setFaults(settings));
    } catch (error) {
      this.status.textContent = `Faults not changed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  private async reset(): Promise<void> {
    this.show(await api.resetFaults());
  }

  private async sendTraffic(): Promise<void> {
    const target = this.trafficTarget();
    if (!target) {
      this.trafficResult.textContent = 'Pick a tenant and number in the phone first.';
      return;
    }
    const count = Number(this.trafficCount.value);
    try {
      const result = await api.traffic({ ...target, count });
      this.trafficResult.textContent = `${result.sent} of ${count} customers texted ${target.to}; watch the delivery rate.`;
    } catch (error) {
      this.trafficResult.textContent = `Not sent: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
}
