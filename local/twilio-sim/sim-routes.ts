import type { SimulatorContext } from './context';
import { NO_FAULTS, parseFaultSettings } from './faults';
import { type JsonReply, parseJson, simError } from './http-io';
import { deliverInboundSms, inboundMessageSid, parseInboundSms } from './phone';

/** Answers a POST /_sim/inbound: the phone texts a tenant's number. */
async function sendInbound(context: SimulatorContext, rawBody: string): Promise<JsonReply> {
  const json = parseJson(rawBody);
  if (!json.ok) return simError(400, 'body must be JSON');
  const parsed = parseInboundSms(json.value);
  if (!parsed.ok) return simError(400, parsed.reason);
  // Fixed up front: a duplicate delivery must carry the same MessageSid.
  const sms = { ...parsed.value, messageSid: inboundMessageSid(parsed.value) };
  const account = await context.directory.accountForTenant(sms.tenantId);
  if (!account) return simError(404, `unknown tenant ${sms.tenantId}`);

  const deliver = (delivery: 'original' | 'duplicate') =>
    deliverInboundSms({
      sms,
      accountSid: account.accountSid,
      authToken: account.authToken,
      platformBaseUrl: context.platformBaseUrl,
      timeoutMs: context.webhookTimeoutMs,
      signal: context.signal,
      delivery,
    });
  const duplicate = context.dice.roll(context.state.faults.duplicateInbound);
  // The duplicate races the original, as a retry can overlap a slow first delivery.
  const records = await Promise.all(
    duplicate ? [deliver('original'), deliver('duplicate')] : [deliver('original')],
  );
  context.state.inboundWebhooks.push(...records);
  const [record] = records;
  if (!record) throw new Error('no inbound delivery was made');
  const duplicates = records.slice(1).map((copy) => copy.responseStatus);
  if (record.responseStatus === null) {
    return {
      status: 502,
      body: {
        messageSid: record.messageSid,
        status: null,
        responseBody: null,
        error: record.error,
        ...(duplicates.length > 0 ? { duplicates } : {}),
      },
    };
  }
  return {
    status: 200,
    body: {
      messageSid: record.messageSid,
      status: record.responseStatus,
      responseBody: record.responseBody,
      ...(duplicates.length > 0 ? { duplicates } : {}),
    },
  };
}

function setFaults(context: SimulatorContext, rawBody: string): JsonReply {
  const json = parseJson(rawBody);
  if (!json.ok) return simError(400, 'body must be JSON');
  const parsed = parseFaultSettings(json.value);
  if (!parsed.ok) return simError(400, parsed.reason);
  context.state.faults = parsed.value;
  return { status: 200, body: parsed.value };
}

/**
 * The simulator's own endpoints under `/_sim/`: the phone, fault injection and inspection of
 * everything received and sent (JSON).
 */
export async function handleSimRequest(
  context: SimulatorContext,
  method: string,
  path: string,
  rawBody: string,
): Promise<JsonReply> {
  const { state } = context;
  const route = `${method} ${path}`;
  switch (route) {
    case 'GET /_sim/health':
      return { status: 200, body: { ok: true } };
    case 'POST /_sim/inbound':
      return sendInbound(context, rawBody);
    case 'GET /_sim/inbound':
      return { status: 200, body: state.inboundWebhooks };
    case 'GET /_sim/messages':
      return { status: 200, body: state.messages.all() };
    case 'GET /_sim/requests':
      return { status: 200, body: state.apiRequests };
    case 'DELETE /_sim/state':
      state.clear();
      return { status: 204 };
    case 'GET /_sim/faults':
      return { status: 200, body: state.faults };
    case 'POST /_sim/faults':
      return setFaults(context, rawBody);
    case 'DELETE /_sim/faults':
      state.faults = { ...NO_FAULTS };
      return { status: 200, body: state.faults };
    default:
      return simError(404, `no simulator endpoint ${route}`);
  }
}
