import type { TenantTwilioCredentials } from '../domain/tenant';

export interface SendSmsRequest {
  readonly credentials: TenantTwilioCredentials;
  readonly to: string;
  /**
   * The business number. With `messagingServiceSid` too, Twilio sends from this number with the
   * service's features (a number of the service); alone, the service picks the number.
   */
  readonly from?: string;
  readonly messagingServiceSid?: string;
  readonly body: string;
  readonly mediaUrls: readonly string[];
  readonly statusCallback: string;
}

export interface SentSms {
  readonly sid: string;
  readonly status: string;
  readonly numSegments?: number;
  readonly errorCode?: number;
}

/** Sends SMS through the provider. Failures throw TwilioApiError. */
export interface SmsGateway {
  send(request: SendSmsRequest): Promise<SentSms>;
  /**
   * The messages to `to` with this body created since about `since`, oldest first (recovers a send
   * whose outcome was lost). More than one when an earlier send of the same text falls in the same
   * second: the caller adopts the first that no other send has recorded.
   */
  findRecent(query: {
    credentials: TenantTwilioCredentials;
    to: string;
    from?: string;
    body: string;
    since: Date;
  }): Promise<readonly SentSms[]>;
  /** The message as the provider sees it now; undefined if it does not know the SID. */
  fetch(credentials: TenantTwilioCredentials, sid: string): Promise<SentSms | undefined>;
}
