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
