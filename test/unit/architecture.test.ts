import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Which top-level folders may import from which, checked on every module specifier of every source
 * file (static, type-only, side-effect, re-export, dynamic `import()` and `require`), so a folder
 * dependency cannot come back unnoticed:
 * - lib/ (the CDK app and the definitions both stacks share) imports only lib/: what the functions
 *   and the CDK stack both read (lib/topology.ts, lib/metric-catalog.ts) lives there as pure data;
 * - lambdas/ import only lambdas/ and lib/, and only lib/ modules free of aws-cdk-lib and
 *   constructs, so no CDK code reaches a bundle;
 * - local/ (the local stack, the console, the soak) never imports cli/: the soak runs the `smsctl`
 *   binary as an operator does (local/soak/dead-letters.ts);
 * - cli/ may use local/ (the local stack's endpoints file, its tenant secrets), lambdas/ and lib/.
 */
type Folder = 'lib' | 'lambdas' | 'local' | 'cli';

const ALLOWED: Readonly<Record<Folder, readonly string[]>> = {
  lib: ['lib'],
  lambdas: ['lambdas', 'lib'],
  local: ['local', 'lambdas', 'lib'],
  cli: ['cli', 'local', 'lambdas', 'lib'],
};
/** Packages that are CDK code: never in a function's bundle. */
const CDK_PACKAGES = /^(aws-cdk-lib|constructs|cdk-nag)(\/|$)/;
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A source file's module specifiers, as TypeScript's own pre-processor finds them. */
function specifiersOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName);
}

/** The repository path a relative specifier of `file` names (undefined for a package). */
function resolved(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
}

const topFolder = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '(root)');

/** Every `from -> specifier` that breaks a rule, for files given as repository path -> source. */
function folderViolations(files: ReadonlyMap<string, string>): string[] {
  const violations: string[] = [];
  for (const [file, source] of files) {
    const folder = topFolder(file) as Folder;
    const allowed = ALLOWED[folder];
    if (!allowed) continue;
    for (const specifier of specifiersOf(source)) {
      const target = resolved(file, specifier);
      if (target !== undefined && !allowed.includes(topFolder(target)))
        violations.push(`${file} -> ${specifier} (${folder}/ may import only ${allowed.join(', ')})`);
    }
  }
  return violations;
}

/** lib/ modules the functions reach (through lib/ itself too) that load CDK code. */
function cdkCodeReachableFromLambdas(files: ReadonlyMap<string, string>): string[] {
  const findings: string[] = [];
  const seen = new Set<string>();
  const pending: string[] = [];
  const fileOf = (target: string) =>
    [target, `${target}.ts`, `${target}/index.ts`].find((candidate) => files.has(candidate));
  for (const [file, source] of files) {
    if (topFolder(file) !== 'lambdas') continue;
    for (const specifier of specifiersOf(source)) {
      const target = resolved(file, specifier);
      const found = target && topFolder(target) === 'lib' ? fileOf(target) : undefined;
      if (found) pending.push(found);
    }
  }
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of specifiersOf(files.get(file) ?? '')) {
      if (CDK_PACKAGES.test(specifier)) findings.push(`${file} -> ${specifier}`);
      const target = resolved(file, specifier);
      const found = target ? fileOf(target) : undefined;
      if (found) pending.push(found);
    }
  }
  return findings;
}

function sourcesUnder(folder: string): [string, string][] {
  return readdirSync(path.join(REPO_ROOT, folder), { recursive: true, encoding: 'utf8' })
    .map((relative) => `${folder}/${relative.split(path.sep).join('/')}`)
    .filter((file) => SOURCE.test(file) && !file.split('/').includes('node_modules'))
    .map((file) => [file, readFileSync(path.join(REPO_ROOT, file), 'utf8')]);
}

const repository = new Map(Object.keys(ALLOWED).flatMap((folder) => sourcesUnder(folder)));

describe('folder dependencies', () => {
  it('scan every source file of lib/, lambdas/, local/ and cli/', () => {
    for (const folder of Object.keys(ALLOWED))
      expect(
        [...repository.keys()].filter((file) => file.startsWith(`${folder}/`)).length,
        folder,
      ).toBeGreaterThan(3);
    expect(repository.has('lib/metric-catalog.ts')).toBe(true);
    expect(specifiersOf(repository.get('lambdas/status/report.ts') ?? '')).toContain(
      '../../lib/metric-catalog',
    );
  });

  it('go only the allowed ways: lib -> lib, lambdas -> lib, local -/-> cli', () => {
    expect(folderViolations(repository)).toEqual([]);
  });

  it('bring no CDK code into the functions through lib/', () => {
    expect(cdkCodeReachableFromLambdas(repository)).toEqual([]);
  });

  it('are found whatever the form of the import (the checks are not vacuous)', () => {
    const files = new Map([
      ['lib/monitoring.ts', "import { METRICS } from '../lambdas/shared/metric-catalog';"],
      ['lib/stack.ts', "export * from '../local/x'; import type { A } from './a';"],
      ['local/soak/dead-letters.ts', "const { dlqCommand } = await import('../../cli/commands/dlq');"],
      [
        'local/soak/run.ts',
        "import '../../cli/commands/dlq'; import { METRICS } from '../../lib/metric-catalog';",
      ],
      ['lambdas/x/handler.ts', "import { functions } from '../../lib/topology';"],
      ['lib/topology.ts', "import { Duration } from 'aws-cdk-lib';"],
    ]);
    expect(folderViolations(files)).toEqual([
      'lib/monitoring.ts -> ../lambdas/shared/metric-catalog (lib/ may import only lib)',
      'lib/stack.ts -> ../local/x (lib/ may import only lib)',
      'local/soak/dead-letters.ts -> ../../cli/commands/dlq (local/ may import only local, lambdas, lib)',
      'local/soak/run.ts -> ../../cli/commands/dlq (local/ may import only local, lambdas, lib)',
    ]);
    expect(cdkCodeReachableFromLambdas(files)).toEqual(['lib/topology.ts -> aws-cdk-lib']);
  });
});
