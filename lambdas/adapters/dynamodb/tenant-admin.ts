import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Workflow } from '../../domain/workflow/definition';
import type { TenantNumber } from '../../ports/tenant-directory';
import { keys } from './keys';

/** Writes tenant configuration (numbers, workflows); used by operators' tools and seeding. */
export class DynamoTenantAdmin {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putProfile(tenantId: string, profile: { name?: string; updatedAt: string }): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.tenantProfile(tenantId), tenantId, ...profile },
      }),
    );
  }

  async putNumber(number: TenantNumber): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.tenantNumber(number.tenantId, number.number),
          tenantId: number.tenantId,
          number: number.number,
          workflowId: number.workflowId,
          allowInboundStart: number.allowInboundStart,
        },
      }),
    );
  }

  async putWorkflow(tenantId: string, workflow: Workflow): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.workflow(tenantId, workflow.id), tenantId, definition: JSON.stringify(workflow) },
      }),
    );
  }

  async transcript(tenantId: string, customer: string): Promise<Record<string, unknown>[]> {
    const conversation = keys.conversationState(tenantId, customer);
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': conversation.pk, ':prefix': keys.transcriptPrefix },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}
