import { type BookedSlot, bookSlot } from '../../lambdas/domain/send-pacing';
import type { PaceRequest, SendPacer } from '../../lambdas/ports/send-pacer';
import type { TenantTwilioCredentials } from '../../lambdas/domain/tenant';
import type { TenantCredentialsSource } from '../../lambdas/ports/tenant-credentials';

/** In-memory stand-ins for our own ports (not for AWS SDKs), for use-case unit tests. */
export { MemoryMessageQueue as RecordingQueue } from '../../lambdas/adapters/memory/message-queue';

export class StaticCredentials implements TenantCredentialsSource {
  lookups = 0;
  constructor(private readonly tenants: Record<string, TenantTwilioCredentials>) {}
  async get(tenantId: string): Promise<TenantTwilioCredentials | undefined> {
    this.lookups++;
    return this.tenants[tenantId];
  }
}

/** GCRA pacing in memory, with the same decisions as the DynamoDB pacer for one process. */
export class MemorySendPacer implements SendPacer {
  readonly requests: PaceRequest[] = [];
  private readonly theoreticalArrivals = new Map<string, number>();
  constructor(private readonly nowMs: () => number = Date.now) {}

  async reserve(request: PaceRequest): Promise<BookedSlot> {
    this.requests.push(request);
    const slot = bookSlot({
      ...request,
      nowMs: this.nowMs(),
      theoreticalArrivalMs: this.theoreticalArrivals.get(request.from),
    });
    this.theoreticalArrivals.set(request.from, slot.nextTheoreticalArrivalMs);
    return slot;
  }
}
