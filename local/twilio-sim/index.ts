/**
 * A local stand-in for Twilio: the Messages REST API v2010, signed status callbacks, a phone that
 * sends signed incoming-message webhooks, fault injection, and JSON inspection under `/_sim/`.
 * See DESIGN.md section 5 for the contract.
 */
import type { AddressInfo } from 'node:net';
import type { SimulatorContext } from './context';
import type { AccountDirectory } from './directory';
import { FaultDice, type FaultSettings, NO_FAULTS, parseFaultSettings } from './faults';
import { MessageLifecycles } from './lifecycle';
import type { MessageResource, SimMessage } from './messages';
import type { InboundWebhookRecord } from './phone';
import { createSimulatorServer } from './server';
import { type ApiRequestRecord, SimulatorState } from './state';

export { countSegments, type SegmentCount, type SmsEncoding } from '../../lambdas/domain/segments';
export type { AuthPrincipal } from './auth';
export type { AccountDirectory, SimAccount } from './directory';
export { inMemoryDirectory } from './directory';
export type { TwilioErrorBody } from './errors';
export type { FaultSettings } from './faults';
export type { MessageListPage } from './message-list';
export type { CallbackAttempt, MessageResource, MessageStatus, SimMessage, StatusChange } from './messages';
export type { InboundWebhookRecord } from './phone';
export { signaturePayload, twilioSignature } from './signature';
export type { ApiRequestRecord } from './state';

export interface TwilioSimulatorOptions {
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  directory: AccountDirectory;
  /** e.g. http://127.0.0.1:3000 — `/_sim/inbound` posts to `${platformBaseUrl}/webhooks/twilio/${tenantId}/inbound`. */
  platformBaseUrl: string;
  /** Delay between queued -> sent -> delivered, default 50 ms. */
  callbackDelayMs?: number;
  /** Source of randomness for fault injection (seed it for reproducible tests), default Math.random. */
  random?: () => number;
  /** Waits before retrying a failed status callback; one retry per entry. Default [200, 1000, 3000]. */
  callbackRetryDelaysMs?: number[];
  /** Timeout of each outgoing webhook (callbacks, inbound), default 15 s like Twilio's. */
  webhookTimeoutMs?: number;
}

export interface TwilioSimulator {
  url: string;
  port: number;
  close(): Promise<void>;
  /** Every message the API created, with status history and callback attempts (copies). */
  messages(): SimMessage[];
  /**
   * The phone ringing: `listener` gets a copy of every message resource created from now on,
   * without copying the whole history each time. Returns the unsubscribe.
   */
  onMessageCreated(listener: (message: MessageResource) => void): () => void;
  /** Every incoming-message webhook the phone sent and the platform's answer (copies). */
  inboundWebhooks(): InboundWebhookRecord[];
  /** Every REST API request received (copies). */
  apiRequests(): ApiRequestRecord[];
  faults(): FaultSettings;
  /** Same as POST /_sim/faults: the given settings, everything else off. Throws on invalid settings. */
  setFaults(settings: Partial<FaultSettings>): void;
  resetFaults(): void;
  /** Same as DELETE /_sim/state. */
  clearState(): void;
  /** Resolves when every created message reached its final status and its callbacks were posted. */
  settled(): Promise<void>;
}

const DEFAULTS = {
  host: '127.0.0.1',
  callbackDelayMs: 50,
  callbackRetryDelaysMs: [200, 1000, 3000],
  webhookTimeoutMs: 15_000,
};

export async function startTwilioSimulator(options: TwilioSimulatorOptions): Promise<TwilioSimulator> {
  const host = options.host ?? DEFAULTS.host;
  const state = new SimulatorState();
  const dice = new FaultDice(options.random ?? Math.random);
  const webhookTimeoutMs = options.webhookTimeoutMs ?? DEFAULTS.webhookTimeoutMs;
  const lifecycles = new MessageLifecycles(state.messages, () => state.faults, dice, {
    stepDelayMs: options.callbackDelayMs ?? DEFAULTS.callbackDelayMs,
    retryDelaysMs: options.callbackRetryDelaysMs ?? DEFAULTS.callbackRetryDelaysMs,
    timeoutMs: webhookTimeoutMs,
  });
  const closing = new AbortController();
  const context: SimulatorContext = {
    state,
    directory: options.directory,
    lifecycles,
    dice,
    platformBaseUrl: options.platformBaseUrl,
    webhookTimeoutMs,
    signal: closing.signal,
  };

  const server = createSimulatorServer(context);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo; // listening on TCP, so always an AddressInfo
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    async close() {
      closing.abort();
      await lifecycles.stop();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
    messages: () => structuredClone(state.messages.all()),
    onMessageCreated: (listener) =>
      state.messages.onCreated((message) => listener(structuredClone(message.resource))),
    inboundWebhooks: () => structuredClone(state.inboundWebhooks),
    apiRequests: () => structuredClone(state.apiRequests),
    faults: () => ({ ...state.faults }),
    setFaults(settings) {
      const parsed = parseFaultSettings(settings);
      if (!parsed.ok) throw new Error(`invalid fault settings: ${parsed.reason}`);
      state.faults = parsed.value;
    },
    resetFaults() {
      state.faults = { ...NO_FAULTS };
    },
    clearState: () => state.clear(),
    settled: () => lifecycles.settled(),
  };
}
