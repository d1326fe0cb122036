/**
 * What the Lambda bundles get instead of `@aws-sdk/credential-provider-node` (lib/bundling.ts): the
 * default chain's first link alone, the environment, where Lambda puts the execution role's
 * credentials (and the local stack its own). The clients are given `fromEnv()` explicitly
 * (lambdas/shared/clients.ts), so the SDK calls this only for a client built without credentials.
 */
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
