#!/usr/bin/env node
// Refreshes the docs' console screenshots (docs/screenshots/*.png) on purpose: runs the browser test
// (test/browser/console.test.ts) with SCREENSHOTS_DIR pointing at docs/screenshots. `npm test` runs
// the same test into a temporary folder, so it never touches the tracked pictures.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// vitest's own CLI entry (its package `bin`), run by this Node: no shell, no npx.
const vitestPackage = createRequire(import.meta.url).resolve('vitest/package.json');
const vitest = path.join(path.dirname(vitestPackage), 'vitest.mjs');
const result = spawnSync(
  process.execPath,
  [vitest, 'run', '--project', 'suites', 'test/browser/console.test.ts'],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, SCREENSHOTS_DIR: path.join(root, 'docs', 'screenshots') },
  },
);
if (result.error) throw result.error;
process.exitCode = result.status ?? 1;
