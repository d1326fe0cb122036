import type { DeliveryView, TenantDelivery } from '../api-types';
import { api } from './api-client';
import { byId, ChangeGate, h } from './dom';
import { clockTime, percent } from './format';
import { rateChart } from './rate-chart';

/** Per-tenant outcomes, the delivery-rate chart, error codes and DLQ depth, from the EMF records. */
export class DeliveryPanel {
  private readonly tenant = byId('delivery-tenant', HTMLSelectElement);
  private readonly period = byId('delivery-period', HTMLSelectElement);
  private readonly totals = tbody('delivery-totals');
  private readonly numbers = tbody('delivery-numbers');
  private readonly periods = tbody('delivery-periods');
  private readonly errors = tbody('delivery-errors');
  private readonly dlq = tbody('delivery-dlq');
  private readonly chart = byId('delivery-chart', HTMLDivElement);
  private readonly caption = byId('delivery-chart-caption', HTMLElement);
  private readonly gate = new ChangeGate();

  constructor() {
    this.tenant.addEventListener('change', () => void this.refresh());
    this.period.addEventListener('change', () => void this.refresh());
  }

  async refresh(): Promise<void> {
    const view = await api.delivery(Number(this.period.value));
    this.renderTenantChoices(view);
    const { generatedAt: _generatedAt, ...figures } = view;
    if (!this.gate.changed('view', { figures, tenant: this.tenant.value })) return;
    this.renderTotals(view.tenants);
    this.renderNumbers(view.tenants);
    this.renderChart(view);
    this.renderErrors(view.tenants);
    this.dlq.replaceChildren(
      ...view.dlq.map((queue) =>
        h(
          'tr',
          { 'data-queue': queue.queue },
          h('th', { scope: 'row' }, `${queue.queue} DLQ`),
          h('td', {}, String(queue.visible)),
          h('td', {}, String(queue.inFlight)),
        ),
      ),
    );
  }

  private renderTenantChoices(view: DeliveryView): void {
    const ids = view.tenants.map((tenant) => tenant.tenantId);
    const current = [...this.tenant.options].map((option) => option.value);
    if (ids.join(',') === current.join(',')) return;
    const previous = this.tenant.value;
    this.tenant.replaceChildren(...ids.map((id) => h('option', { value: id }, id)));
    if (ids.includes(previous)) this.tenant.value = previous;
  }

  private renderTotals(tenants: readonly TenantDelivery[]): void {
    this.totals.replaceChildren(
      ...(tenants.length === 0
        ? [h('tr', {}, h('td', { colspan: 6 }, 'No messages sent yet.'))]
        : tenants.map((tenant) =>
            h(
              'tr',
              { 'data-tenant': tenant.tenantId },
              h('th', { scope: 'row' }, tenant.tenantId),
              h('td', { 'data-metric': 'sent' }, String(tenant.sent)),
              h('td', { 'data-metric': 'delivered' }, String(tenant.delivered)),
              h('td', { 'data-metric': 'undelivered' }, String(tenant.undelivered)),
              h('td', { 'data-metric': 'failed' }, String(tenant.failed)),
              h('td', { 'data-metric': 'rate' }, percent(tenant.rate)),
            ),
          )),
    );
  }

  private renderNumbers(tenants: readonly TenantDelivery[]): void {
    const rows = tenants.flatMap((tenant) =>
      tenant.numbers.map((number) =>
        h(
          'tr',
          { 'data-tenant': tenant.tenantId, 'data-number': number.number },
          h('td', {}, tenant.tenantId),
          h('th', { scope: 'row' }, number.number),
          h('td', { 'data-metric': 'sent' }, String(number.sent)),
          h('td', { 'data-metric': 'delivered' }, String(number.delivered)),
          h('td', { 'data-metric': 'undelivered' }, String(number.undelivered)),
          h('td', { 'data-metric': 'failed' }, String(number.failed)),
          h('td', { 'data-metric': 'rate' }, percent(number.rate)),
        ),
      ),
    );
    this.numbers.replaceChildren(
      ...(rows.length > 0 ? rows : [h('tr', {}, h('td', { colspan: 7 }, 'No messages sent yet.'))]),
    );
  }

  private renderChart(view: DeliveryView): void {
    const tenant = view.tenants.find((candidate) => candidate.tenantId === this.tenant.value);
    const periods = tenant?.periods ?? [];
    const withOutcomes = periods.filter((period) => period.rate !== null);
    const latest = withOutcomes.at(-1);
    const lowest = withOutcomes.reduce<number | null>(
      (low, period) => (period.rate !== null && (low === null || period.rate < low) ? period.rate : low),
      null,
    );
    const description = tenant
      ? `Delivery rate of ${tenant.tenantId} per ${view.periodSeconds} s period since ${clockTime(view.windowStart)}: latest ${percent(latest?.rate ?? null)}, lowest ${percent(lowest)}.`
      : 'No delivery outcomes yet.';
    this.chart.replaceChildren(rateChart(periods, description));
    this.caption.textContent = description;
    this.periods.replaceChildren(
      ...withOutcomes.map((period) =>
        h(
          'tr',
          { 'data-start': period.start },
          h('th', { scope: 'row' }, clockTime(period.start)),
          h('td', { 'data-metric': 'delivered' }, String(period.delivered)),
          h('td', { 'data-metric': 'undelivered' }, String(period.undelivered)),
          h('td', { 'data-metric': 'failed' }, String(period.failed)),
          h('td', { 'data-metric': 'rate' }, percent(period.rate)),
        ),
      ),
    );
  }

  private renderErrors(tenants: readonly TenantDelivery[]): void {
    const rows = tenants.flatMap((tenant) =>
      tenant.errorCodes.map((error) =>
        h(
          'tr',
          { 'data-tenant': tenant.tenantId, 'data-code': error.code },
          h('th', { scope: 'row' }, tenant.tenantId),
          h('td', {}, error.code),
          h('td', {}, String(error.count)),
        ),
      ),
    );
    this.errors.replaceChildren(
      ...(rows.length > 0 ? rows : [h('tr', {}, h('td', { colspan: 3 }, 'None.'))]),
    );
  }
}

function tbody(tableId: string): HTMLTableSectionElement {
  const body = byId(tableId, HTMLTableElement).tBodies[0];
  if (!body) throw new Error(`#${tableId} has no tbody`);
  return body;
}
