/**
 * esbuild options for every handler bundle. The CDK NodejsFunction and the local stack's bundler
 * both use these, so the code that runs locally is built exactly as the code `cdk synth` ships.
 */
export const LAMBDA_NODE_TARGET = 'node22';

/**
 * Nothing is left to the runtime: a bundle is exactly the code that runs, the AWS SDK v3 clients
 * included. (The Node 22 runtime does provide the SDK, but loading it from there costs a cold start
 * far more than the bundled, tree-shaken clients: docs/performance.md.)
 */
export const EXTERNAL_MODULES: readonly string[] = [];

/**
 * The SDK clients' Node runtime configuration imports `@aws-sdk/credential-provider-node`, the
 * default credential chain, statically, whatever credentials a client is given; its links load SSO,
 * INI-file, process, web-identity, container and instance-metadata providers and the STS, SSO and
 * sign-in clients they use: ~135 KB of every bundle (measured), never run in Lambda, which hands a
 * function its credentials in the environment. The bundles get the chain's environment link alone
 * instead (lambdas/shared/environment-credentials.ts), as the SDK's maintainers advise for bundles
 * that need no other source (aws/aws-sdk-js-v3#6087: replace the module before bundling). The
 * clients themselves are the SDK's, unchanged. Paths are relative to the repository root, where both
 * esbuild runs work.
 */
export const CREDENTIAL_CHAIN_ALIAS: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': './lambdas/shared/environment-credentials.ts',
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
  // Maps without the sources (a quarter of the size): stack traces only need file, line and name
  // (Node applies them: NODE_OPTIONS in lib/topology.ts).
  sourcesContent: false,
  mainFields: ['module', 'main'],
  externalModules: EXTERNAL_MODULES,
  alias: CREDENTIAL_CHAIN_ALIAS,
  banner: ESM_REQUIRE_BANNER,
} as const;
