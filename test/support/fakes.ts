import type { TenantTwilioCredentials } from '../../lambdas/domain/tenant';
import type { MessageQueue, QueuedMessage } from '../../lambdas/ports/message-queue';
import type { TenantCredentialsSource } from '../../lambdas/ports/tenant-credentials';

/** In-memory stand-ins for our own ports (not for AWS SDKs), for use-case unit tests. */
export class RecordingQueue<T> implements MessageQueue<T> {
  readonly sent: QueuedMessage<T>[] = [];
  async send(messages: readonly QueuedMessage<T>[]): Promise<void> {
    this.sent.push(...messages);
  }
}

export class StaticCredentials implements TenantCredentialsSource {
  lookups = 0;
  constructor(private readonly tenants: Record<string, TenantTwilioCredentials>) {}
  async get(tenantId: string): Promise<TenantTwilioCredentials | undefined> {
    this.lookups++;
    return this.tenants[tenantId];
  }
}
