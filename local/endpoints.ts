import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { QueueId } from '../lib/topology';
import type { LocalPrincipal } from './runtime/sigv4-verifier';
import type { LocalStack } from './stack';

/**
 * A caller of the conversations API bound to the demo tenant (DESIGN.md section 4), as a tenant's
 * role tagged `smsTenant=demo` is in AWS (docs/api.md "Conversations API"): signing with `local-demo` /
 * `local-demo` it may start conversations on `/v1/tenants/demo/…` only; any other tenant's path
 * gets API Gateway's 403 `AccessDeniedException`. The operator principal `local` / `local`
 * (local/stack.ts LOCAL_API_PRINCIPAL) keeps every tenant, for smsctl, the console and curl.
 * Region us-east-1, like every local endpoint; no import of local/seed.ts or local/stack.ts, which
 * would load the stack into every `smsctl --local` run for one string.
 */
export const LOCAL_DEMO_TENANT_PRINCIPAL: LocalPrincipal = {
  accessKeyId: 'local-demo',
  secretAccessKey: 'local-demo',
  region: 'us-east-1',
  userArn: 'arn:aws:sts::000000000000:assumed-role/sms-tenant-demo/local',
  tenants: ['demo'],
};

/** The tenant-bound principals the local API accepts besides the operator. */
export const LOCAL_TENANT_PRINCIPALS: readonly LocalPrincipal[] = [LOCAL_DEMO_TENANT_PRINCIPAL];

/**
 * What `smsctl --local` needs to reach the running local stack: written by `npm start`, removed
 * when it stops. The same facts a deployed stack gives through its CloudFormation outputs.
 */
export interface LocalEndpoints {
  readonly region: string;
  readonly apiUrl: string;
  readonly publicBaseUrl: string;
  readonly twilioSimUrl: string;
  readonly endpoints: {
    readonly dynamodb: string;
    readonly sqs: string;
    readonly secretsManager: string;
    /** The Bedrock stand-in (Runtime and the control plane's model listings); absent in older files. */
    readonly bedrock?: string;
  };
  readonly tableName: string;
  readonly tenantSecretPrefix: string;
  readonly queues: Readonly<
    Record<
      QueueId,
      { readonly url: string; readonly dlqUrl: string; readonly arn: string; readonly dlqArn: string }
    >
  >;
}

export const LOCAL_ENDPOINTS_FILE = path.resolve('.local/endpoints.json');

/**
 * Where `npm start` writes and `smsctl --local` looks: `SMSCTL_LOCAL_ENDPOINTS` lets a test or a
 * second stack use its own file instead of the repo's.
 */
export function localEndpointsFile(): string {
  const override = process.env.SMSCTL_LOCAL_ENDPOINTS;
  return override ? path.resolve(override) : LOCAL_ENDPOINTS_FILE;
}

export async function writeLocalEndpoints(stack: LocalStack, file = localEndpointsFile()): Promise<void> {
  const queues = Object.fromEntries(
    Object.values(stack.queues).map((queue) => [
      queue.spec.id,
      { url: queue.url, dlqUrl: queue.dlqUrl, arn: queue.arn, dlqArn: queue.dlqArn },
    ]),
  ) as LocalEndpoints['queues'];
  const endpoints: LocalEndpoints = {
    region: 'us-east-1',
    apiUrl: stack.apiUrl,
    publicBaseUrl: stack.publicBaseUrl,
    twilioSimUrl: stack.twilioSimUrl,
    endpoints: stack.endpoints,
    tableName: stack.tableName,
    tenantSecretPrefix: stack.tenantSecretPrefix,
    queues,
  };
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(endpoints, null, 2)}\n`);
}

export async function readLocalEndpoints(file = localEndpointsFile()): Promise<LocalEndpoints | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LocalEndpoints;
  } catch {
    return undefined;
  }
}

export async function removeLocalEndpoints(file = localEndpointsFile()): Promise<void> {
  await rm(file, { force: true });
}
