import type { APIGatewayProxyResult } from 'aws-lambda';

/** Every answer the webhook endpoint gives, in one place. */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

export function twimlResponse(): APIGatewayProxyResult {
  return { statusCode: 200, headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body: EMPTY_TWIML };
}

export function acceptedResponse(): APIGatewayProxyResult {
  return { statusCode: 204, headers: {}, body: '' };
}

export type RejectionStatus = 400 | 403 | 404 | 413;

export function rejection(statusCode: RejectionStatus, reason: string): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ message: reason }),
  };
}
