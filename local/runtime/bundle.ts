import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { BUNDLING } from '../../lib/bundling';
import type { FunctionId, FunctionSpec } from '../../lib/topology';

/**
 * Builds handlers exactly as the CDK's NodejsFunction does (lib/bundling.ts), so the code the
 * local stack runs is the code `cdk synth` ships. Bundles go under the repository (e.g.
 * `.local/functions`), next to the node_modules they were built from.
 */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface BundleOutput {
  /** Absolute path of the `.mjs` bundle. */
  readonly path: string;
  readonly bytes: number;
}

export interface FunctionBundles {
  readonly bundles: Record<FunctionId, BundleOutput>;
  /** esbuild's metafile of the build (inputs and outputs with their bytes); also written to `<outDir>/meta.json`. */
  readonly metafile: Metafile;
}

/** esbuild options shared by every Lambda bundle, taken from the CDK's bundling settings. */
export function lambdaBuildOptions(): BuildOptions {
  return {
    bundle: true,
    format: BUNDLING.format,
    target: BUNDLING.target,
    platform: BUNDLING.platform,
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourcemap,
    sourcesContent: BUNDLING.sourcesContent,
    mainFields: [...BUNDLING.mainFields],
    external: [...BUNDLING.externalModules],
    alias: { ...BUNDLING.alias },
    banner: { js: BUNDLING.banner },
    metafile: true,
    logLevel: 'warning',
  };
}

function bytesOf(metafile: Metafile, rootDir: string, file: string): number {
  return metafile.outputs[path.relative(rootDir, file)]?.bytes ?? 0;
}

/** Bundles one entry (relative to `rootDir`, default the repository) into `outFile`. */
export async function bundleEntry(
  entry: string,
  outFile: string,
  rootDir: string = REPO_ROOT,
): Promise<BundleOutput & { metafile: Metafile }> {
  const outPath = path.resolve(rootDir, outFile);
  const result = await build({
    ...lambdaBuildOptions(),
    absWorkingDir: rootDir,
    entryPoints: [path.resolve(rootDir, entry)],
    outfile: outPath,
    metafile: true,
  });
  return { path: outPath, bytes: bytesOf(result.metafile, rootDir, outPath), metafile: result.metafile };
}

/** Bundles every function in one esbuild run: `<outDir>/<id>.mjs` (+ `.mjs.map`). */
export async function bundleFunctionsWithMetafile(
  specs: readonly FunctionSpec[],
  outDir: string,
  rootDir: string = REPO_ROOT,
): Promise<FunctionBundles> {
  const outPath = path.resolve(rootDir, outDir);
  const result = await build({
    ...lambdaBuildOptions(),
    absWorkingDir: rootDir,
    entryPoints: Object.fromEntries(specs.map((spec) => [spec.id, path.resolve(rootDir, spec.entry)])),
    outdir: outPath,
    outExtension: { '.js': '.mjs' },
    metafile: true,
  });
  const bundles = {} as Record<FunctionId, BundleOutput>;
  for (const spec of specs) {
    const file = path.join(outPath, `${spec.id}.mjs`);
    bundles[spec.id] = { path: file, bytes: bytesOf(result.metafile, rootDir, file) };
  }
  await writeFile(path.join(outPath, 'meta.json'), JSON.stringify(result.metafile));
  return { bundles, metafile: result.metafile };
}

/** Path of each given function's bundle (only the given specs have an entry). */
export async function bundleFunctions(
  specs: readonly FunctionSpec[],
  outDir: string,
  rootDir: string = REPO_ROOT,
): Promise<Record<FunctionId, string>> {
  const { bundles } = await bundleFunctionsWithMetafile(specs, outDir, rootDir);
  const paths = {} as Record<FunctionId, string>;
  for (const [id, bundle] of Object.entries(bundles) as [FunctionId, BundleOutput][]) paths[id] = bundle.path;
  return paths;
}
