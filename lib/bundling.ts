/**
 * esbuild options for every handler bundle. The CDK NodejsFunction and the local stack's bundler
 * both use these, so the code that runs locally is built exactly as the code `cdk synth` ships.
 */
export const LAMBDA_NODE_TARGET = 'node22';

/** Provided by the Node 22 Lambda runtime; the local stack resolves them from node_modules. */
export const EXTERNAL_MODULES = ['@aws-sdk/*'];

/** ESM bundles need `require` for the CommonJS dependencies esbuild inlines. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

export const BUNDLING = {
  format: 'esm',
  target: LAMBDA_NODE_TARGET,
  platform: 'node',
  minify: true,
  sourcemap: true,
  mainFields: ['module', 'main'],
  externalModules: EXTERNAL_MODULES,
  banner: ESM_REQUIRE_BANNER,
} as const;

/**
 * `sourcemap: true` only improves stack traces when Node applies the maps. NodejsFunction does not
 * set this itself (aws-cdk-lib 2.276), so the CDK function adds it next to `functionEnvironment()`;
 * test/infra/topology-parity.test.ts allows exactly these additions.
 */
export const SOURCE_MAP_ENVIRONMENT = { NODE_OPTIONS: '--enable-source-maps' } as const;
