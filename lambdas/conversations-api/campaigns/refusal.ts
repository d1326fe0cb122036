import type { RecipientFileErrorCode } from '../../domain/campaign/recipients';

/** Why a campaign request was refused; `status` is the HTTP status the API answers with. */
export type CampaignRefusal =
  | {
      readonly status: 400;
      readonly error: 'invalid-request' | RecipientFileErrorCode;
      readonly message: string;
    }
  | {
      readonly status: 404;
      readonly error:
        | 'tenant-not-found'
        | 'number-not-found'
        | 'pool-not-found'
        | 'workflow-not-found'
        | 'campaign-not-found';
      readonly message: string;
    }
  | {
      readonly status: 409;
      readonly error: 'campaign-state-conflict' | 'recipients-complete';
      readonly message: string;
    }
  | {
      readonly status: 422;
      readonly error:
        | 'idempotency-key-reused'
        | 'messaging-service-not-configured'
        | 'pool-empty'
        | 'workflow-cannot-start'
        | 'media-not-allowed'
        | 'mms-not-supported';
      readonly message: string;
    };

export type CampaignOutcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly refusal: CampaignRefusal };

export function refused<T>(refusal: CampaignRefusal): CampaignOutcome<T> {
  return { ok: false, refusal };
}

export function campaignNotFound(tenantId: string, campaignId: string): CampaignRefusal {
  return {
    status: 404,
    error: 'campaign-not-found',
    message: `campaign ${campaignId} not found for tenant ${tenantId}`,
  };
}
