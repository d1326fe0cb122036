import type { CampaignProgress } from '../../lambdas/domain/campaign/progress';

/**
 * The console's JSON API under `/console/api/`: shapes shared by the local stack that serves them
 * and the browser code that reads them. Types only, so both sides can import this file.
 */

export interface ConsoleTenant {
  readonly tenantId: string;
  readonly name: string;
  readonly numbers: readonly { readonly number: string; readonly workflowId: string }[];
}

export interface StatusStep {
  readonly status: string;
  readonly at: string;
  readonly errorCode?: string;
}

export interface TranscriptEntry {
  readonly key: string;
  readonly direction: 'inbound' | 'outbound';
  readonly from: string;
  readonly to: string;
  readonly body: string;
  readonly at: string;
  readonly mediaUrls: readonly string[];
  /** Outbound only: the current status (`pending` until the sender has Twilio's answer). */
  readonly status?: string;
  readonly sid?: string;
  readonly errorCode?: string;
  /** Outbound only: every status the platform recorded for the message, oldest first. */
  readonly statusHistory?: readonly StatusStep[];
  /** Inbound only: why the message got no reply, when it got none. */
  readonly note?: string;
  /** Outbound only: `agent` when a person wrote it (a hand-off reply). */
  readonly author?: 'agent';
}

/** A handed-off conversation in the inbox (HandedOffConversation of the conversation store). */
export interface InboxConversation {
  readonly businessNumber: string;
  readonly customer: string;
  readonly conversationId: string;
  readonly at: string;
  readonly reason: 'fallback' | 'keyword';
  readonly lastActivityAt: string;
  readonly expiresAt: string;
  readonly workflowId: string;
  readonly routeId?: string;
  /** The customer texted STOP since: a reply is refused. */
  readonly optedOut: boolean;
}

/** A person's answer from the inbox: the same use case as `smsctl conversation reply`. */
export interface InboxReplyRequest {
  readonly tenantId: string;
  readonly customer: string;
  readonly businessNumber: string;
  readonly body: string;
}

/** Back to the bot from the inbox: the same use case as `smsctl conversation release`. */
export interface InboxReleaseRequest {
  readonly tenantId: string;
  readonly customer: string;
  readonly businessNumber: string;
  readonly mode: 'resume' | 'restart';
}

export interface ConversationSummary {
  readonly tenantId: string;
  readonly customer: string;
  readonly businessNumber: string;
  readonly workflowId: string;
  /** The slot-filling status: collecting, completed, fallback, ... */
  readonly status: string;
  readonly routeId?: string;
  readonly variables: Readonly<Record<string, string>>;
  readonly startedAt: string;
  readonly lastActivityAt: string;
}

export interface ConversationDetail {
  readonly tenantId: string;
  readonly customer: string;
  /** Undefined when the customer has a transcript but no conversation state (e.g. an unknown number). */
  readonly conversation?: ConversationSummary;
  readonly transcript: readonly TranscriptEntry[];
}

/** Delivery outcomes of one period: the terms of delivered / (delivered + undelivered + failed). */
export interface DeliveryPeriod {
  /** Period start, epoch ms. */
  readonly start: number;
  readonly delivered: number;
  readonly undelivered: number;
  readonly failed: number;
  /** null when the period had no outcome (no data point, as on the CloudWatch dashboard). */
  readonly rate: number | null;
}

/** One sender number's totals, from the per-number dimension set (the dashboard's per-number row). */
export interface NumberDelivery {
  readonly number: string;
  readonly sent: number;
  readonly delivered: number;
  readonly undelivered: number;
  readonly failed: number;
  readonly rate: number | null;
}

export interface TenantDelivery {
  readonly tenantId: string;
  readonly sent: number;
  readonly delivered: number;
  readonly undelivered: number;
  readonly failed: number;
  readonly rate: number | null;
  readonly periods: readonly DeliveryPeriod[];
  /** The tenant's sender numbers, by number. */
  readonly numbers: readonly NumberDelivery[];
  readonly errorCodes: readonly { readonly code: string; readonly count: number }[];
}

export interface DlqDepth {
  readonly queue: string;
  readonly visible: number;
  readonly inFlight: number;
}

export interface DeliveryView {
  readonly generatedAt: number;
  readonly periodSeconds: number;
  /** Start of the first period shown, epoch ms. */
  readonly windowStart: number;
  /** How many EMF metric values (MessagesSent, outcomes, DeliveryErrors) the figures were computed from. */
  readonly metricValues: number;
  readonly tenants: readonly TenantDelivery[];
  readonly dlq: readonly DlqDepth[];
}

/** The simulator's fault settings (`/_sim/faults`), rates from 0 to 1. */
export type FaultSettings = Readonly<Record<string, number>>;

export interface PhoneMessageRequest {
  readonly tenantId: string;
  readonly from: string;
  readonly to: string;
  readonly body: string;
  readonly mediaUrls?: readonly string[];
}

export interface TrafficRequest {
  readonly tenantId: string;
  readonly to: string;
  readonly count: number;
}

/** What an operator may do to a campaign, as `smsctl campaign pause|resume|cancel`. */
export type ConsoleCampaignAction = 'pause' | 'resume' | 'cancel';

/** A campaign's progress, as `smsctl campaign show --json` prints it (`progress`). */
export type ConsoleCampaignProgress = CampaignProgress;

/**
 * A campaign as the campaigns API and `smsctl campaign show --json` give it (the fields the console
 * shows), plus the actions its state allows now.
 */
export interface ConsoleCampaign {
  readonly tenantId: string;
  readonly campaignId: string;
  readonly name?: string;
  /** scheduled, running, paused, cancelled or completed. */
  readonly state: string;
  readonly recipientsComplete: boolean;
  readonly from?: string;
  readonly pool?: string;
  readonly numbers?: readonly string[];
  readonly messagingService?: true;
  readonly workflowId?: string;
  readonly routeId?: string;
  readonly body?: string;
  readonly quietHours?: string;
  readonly timeZone: string;
  readonly startAt: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly progress: ConsoleCampaignProgress;
  /** The actions that would change the campaign's state now (the same state machine the API runs). */
  readonly actions: readonly ConsoleCampaignAction[];
}

export interface ConsoleCampaignList {
  readonly tenantId: string;
  /** Newest first; at most one page (`more` when the tenant has older ones). */
  readonly campaigns: readonly ConsoleCampaign[];
  readonly more: boolean;
}

export interface CampaignControlRequest {
  readonly tenantId: string;
  readonly campaignId: string;
  readonly action: ConsoleCampaignAction;
}

export interface CampaignControlResult {
  /** False when the campaign already was where the action takes it. */
  readonly changed: boolean;
  readonly campaign: ConsoleCampaign;
}
