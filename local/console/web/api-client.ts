import type {
  ConsoleTenant,
  ConversationDetail,
  ConversationSummary,
  DeliveryView,
  FaultSettings,
  PhoneMessageRequest,
  TrafficRequest,
} from '../api-types';

/** The console's JSON API (served by the local stack under /console/api). */
const BASE = '/console/api';

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${BASE}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const json = (text === '' ? null : JSON.parse(text)) as unknown;
  if (!response.ok) {
    const message =
      typeof json === 'object' && json !== null && 'message' in json
        ? String(json.message)
        : response.statusText;
    throw new Error(`${response.status} ${message}`);
  }
  return json as T;
}

export interface InboundResult {
  readonly messageSid: string;
  readonly status: number | null;
}

export const api = {
  tenants: () => request<ConsoleTenant[]>('GET', '/tenants'),
  conversations: (tenantId: string) =>
    request<ConversationSummary[]>('GET', `/conversations?tenant=${encodeURIComponent(tenantId)}`),
  /** The customer's conversation with `businessNumber`, else their latest one. */
  conversation: (tenantId: string, customer: string, businessNumber?: string) =>
    request<ConversationDetail>(
      'GET',
      `/conversation?tenant=${encodeURIComponent(tenantId)}&customer=${encodeURIComponent(customer)}` +
        (businessNumber ? `&number=${encodeURIComponent(businessNumber)}` : ''),
    ),
  delivery: (periodSeconds: number) => request<DeliveryView>('GET', `/delivery?period=${periodSeconds}`),
  faults: () => request<FaultSettings>('GET', '/faults'),
  setFaults: (settings: FaultSettings) => request<FaultSettings>('POST', '/faults', settings),
  resetFaults: () => request<FaultSettings>('DELETE', '/faults'),
  text: (message: PhoneMessageRequest) => request<InboundResult>('POST', '/phone', message),
  traffic: (traffic: TrafficRequest) => request<{ sent: number }>('POST', '/traffic', traffic),
};
