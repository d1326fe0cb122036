import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ESM_REQUIRE_BANNER } from '../../../lib/bundling';
import { functions } from '../../../lib/topology';
import { bundleFunctionsWithMetafile, REPO_ROOT } from '../../../local/runtime/bundle';

// Under the repository, as the local stack's bundles are, so externals resolve from node_modules.
const outDir = path.join(REPO_ROOT, '.local', `bundle-test-${process.pid}`);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('bundleFunctionsWithMetafile', () => {
  it('bundles every function of the topology as an ESM .mjs with the require banner and a metafile', async () => {
    const specs = Object.values(functions);
    const { bundles, metafile } = await bundleFunctionsWithMetafile(specs, outDir);
    for (const spec of specs) {
      const bundle = bundles[spec.id];
      expect(bundle.path).toBe(path.join(outDir, `${spec.id}.mjs`));
      const code = await readFile(bundle.path, 'utf8');
      expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
      expect(bundle.bytes).toBe(Buffer.byteLength(code));
      // The SDK v3 clients are bundled (nothing is imported from the runtime), without the
      // default credential chain (lib/bundling.ts CREDENTIAL_CHAIN_ALIAS).
      expect(code).not.toMatch(/from\s*"@aws-sdk\//);
      const inputs = Object.keys(metafile.outputs[path.relative(REPO_ROOT, bundle.path)]?.inputs ?? {});
      expect(
        inputs.some((input) => input.includes('node_modules/@aws-sdk/client-sqs/dist-es')),
        spec.id,
      ).toBe(spec.id !== 'reconcile');
      expect(inputs.filter((input) => /credential-provider-(ini|node|sso|process)/.test(input))).toEqual([]);
      // The Bedrock control plane (model listings) is the CLI's alone; functions call Bedrock Runtime.
      expect(inputs.filter((input) => input.includes('node_modules/@aws-sdk/client-bedrock/'))).toEqual([]);
      await expect(readFile(`${bundle.path}.map`, 'utf8')).resolves.toContain('"sources"');
    }
    const written = JSON.parse(await readFile(path.join(outDir, 'meta.json'), 'utf8')) as typeof metafile;
    expect(Object.keys(written.outputs)).toEqual(Object.keys(metafile.outputs));
  });
});
