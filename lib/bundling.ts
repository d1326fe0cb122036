/**
 * esbuild options for every handler bundle. The CDK NodejsFunction and the local stack's bundler
 * both use these, so the code that runs locally is built exactly as the code `cdk synth` ships.
 */
export const LAMBDA_NODE_TARGET = 'node22';

/**
 * Nothing is left to the runtime: a bundle is exactly the code that runs. (The Node 22 runtime does
 * provide the AWS SDK, but loading its clients cost a cold start 100-200 ms per client here.)
 */
export const EXTERNAL_MODULES: readonly string[] = [];

/**
 * The handlers and adapters are written against the AWS SDK v3 (and the CLI and tests run them with
 * it), but the Lambda bundles get lambdas/adapters/aws-lite instead: the same exports for the
 * commands we use, over a small SigV4 JSON-protocol client. Bundled, the SDK was 400+ KB per handler;
 * external, its import 100-200 ms (README "Performance"). A command aws-lite does not export fails
 * the bundle build (esbuild: "No matching export"), never a request. Paths are relative to the
 * repository root, where both esbuild runs work.
 */
export const SDK_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/client-dynamodb': './lambdas/adapters/aws-lite/client-dynamodb.ts',
  '@aws-sdk/lib-dynamodb': './lambdas/adapters/aws-lite/lib-dynamodb.ts',
  '@aws-sdk/client-sqs': './lambdas/adapters/aws-lite/client-sqs.ts',
  '@aws-sdk/client-secrets-manager': './lambdas/adapters/aws-lite/client-secrets-manager.ts',
};

/** ESM bundles need `require` for the CommonJS dependencies esbuild inlines. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

export const BUNDLING = {
  format: 'esm',
  target: LAMBDA_NODE_TARGET,
  platform: 'node',
  minify: true,
  sourcemap: true,
  // Maps without the sources (a quarter of the size): stack traces only need file, line and name.
  // Node does not apply them (no --enable-source-maps, which parsed the map at every cold start);
  // lambdas/shared/mapped-stacks.ts maps a stack when one is printed (README "Performance").
  sourcesContent: false,
  mainFields: ['module', 'main'],
  externalModules: EXTERNAL_MODULES,
  alias: SDK_ALIASES,
  banner: ESM_REQUIRE_BANNER,
} as const;
