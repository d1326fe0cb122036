import type {
  CampaignControlRequest,
  CampaignControlResult,
  ConsoleCampaign,
  ConsoleCampaignList,
  ConsoleTenant,
  ConversationDetail,
  ConversationSummary,
  DeliveryView,
  FaultSettings,
  InboxConversation,
  InboxReleaseRequest,
  InboxReplyRequest,
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
  campaigns: (tenantId: string) =>
    request<ConsoleCampaignList>('GET', `/campaigns?tenant=${encodeURIComponent(tenantId)}`),
  campaign: (tenantId: string, campaignId: string) =>
    request<ConsoleCampaign>(
      'GET',
      `/campaign?tenant=${encodeURIComponent(tenantId)}&campaign=${encodeURIComponent(campaignId)}`,
    ),
  /** Pause, resume or cancel: the same use case as `smsctl campaign pause|resume|cancel`. */
  controlCampaign: (control: CampaignControlRequest) =>
    request<CampaignControlResult>('POST', '/campaign', control),
  /** Handed-off conversations; a person's reply and a release run the hand-off use cases. */
  inbox: (tenantId: string) =>
    request<InboxConversation[]>('GET', `/inbox?tenant=${encodeURIComponent(tenantId)}`),
  inboxReply: (reply: InboxReplyRequest) => request<{ status: string }>('POST', '/inbox/reply', reply),
  inboxRelease: (release: InboxReleaseRequest) =>
    request<{ mode: string; sends: { body: string }[] }>('POST', '/inbox/release', release),
  faults: () => request<FaultSettings>('GET', '/faults'),
  setFaults: (settings: FaultSettings) => request<FaultSettings>('POST', '/faults', settings),
  resetFaults: () => request<FaultSettings>('DELETE', '/faults'),
  text: (message: PhoneMessageRequest) => request<InboundResult>('POST', '/phone', message),
  traffic: (traffic: TrafficRequest) => request<{ sent: number }>('POST', '/traffic', traffic),
};
