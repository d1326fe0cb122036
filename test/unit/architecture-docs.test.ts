import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allOpenShards, keys } from '../../lambdas/adapters/dynamodb/keys';
import { numberOwnerKey } from '../../lambdas/adapters/dynamodb/tenant-admin';
import { functions } from '../../lib/topology';

/**
 * docs/architecture.md documents the table's items and each function's item prefixes: its "Data
 * model" table must list exactly the keys the code builds, and its access table exactly the
 * prefixes lib/topology.ts grants.
 */
const DOC = 'docs/architecture.md';
const doc = readFileSync(DOC, 'utf8');

/** Key variables shown as `<name>` in the doc and as `<>` here. */
const PLACEHOLDER = '<>';

function block(marker: string): string[][] {
  const text = new RegExp(`<!-- ${marker}:start -->([\\s\\S]*?)<!-- ${marker}:end -->`).exec(doc)?.[1];
  if (!text) throw new Error(`${DOC} has no ${marker} table`);
  return text
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|[\s|:-]+\|$/.test(line))
    .slice(1)
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

/** `TENANT#<tenantId>` -> `TENANT#<>`: the key's shape, whatever the variables are called. */
function shape(key: string): string {
  return key.replace(/<[^>]+>/g, PLACEHOLDER);
}

/** Every key the code builds, with its variables as placeholders. */
function codeKeys(): string[] {
  const argument = Object.assign(new String(PLACEHOLDER), {
    tenantId: PLACEHOLDER,
    customer: PLACEHOLDER,
    businessNumber: PLACEHOLDER,
  });
  const builders: ((...args: unknown[]) => { pk: string; sk: string })[] = [
    ...Object.values(keys).filter((value) => typeof value === 'function' && value.length > 0),
    numberOwnerKey,
  ] as ((...args: unknown[]) => { pk: string; sk: string })[];
  return builders
    .map((build) => build(...Array.from({ length: Math.max(build.length, 3) }, () => argument)))
    .filter((key) => typeof key === 'object' && 'sk' in key)
    .map(({ pk, sk }) => `${pk} ${sk}`);
}

function codeOf(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '');
}

describe('architecture doc', () => {
  it('lists every item the table holds, by pk and sk, and no other', () => {
    const documented = block('data-model').map(([pk = '', sk = '']) => {
      const [pkCode] = codeOf(pk);
      const [skCode] = codeOf(sk);
      return `${shape(pkCode ?? pk)} ${shape(skCode ?? sk)}`;
    });
    expect(new Set(documented).size, 'a key listed twice').toBe(documented.length);
    expect([...documented].sort()).toEqual(codeKeys().sort());
  });

  it('names every open-messages index shard', () => {
    const shards = allOpenShards();
    expect(doc).toContain(`\`${shards[0]}\` to \`${shards.at(-1)}\``);
  });

  it("shows each function's item prefixes as lib/topology.ts grants them", () => {
    const rows = new Map(block('function-access').map((cells) => [codeOf(cells[0] ?? '')[0], cells]));
    expect([...rows.keys()].sort()).toEqual(Object.keys(functions).sort());
    for (const spec of Object.values(functions)) {
      const [, , readWrite = '', readOnly = ''] = rows.get(spec.id) ?? [];
      const prefixes = (cell: string) => codeOf(cell).filter((code) => code.endsWith('#'));
      expect(prefixes(readWrite).sort(), `${spec.id} reads and writes`).toEqual(
        [...(spec.bindings.tableItemPrefixes ?? [])].sort(),
      );
      expect(prefixes(readOnly).sort(), `${spec.id} reads only`).toEqual(
        [...(spec.bindings.tableReadOnlyPrefixes ?? [])].sort(),
      );
    }
  });

  it('reads the keys it must (the walk itself is sound)', () => {
    expect(codeKeys()).toContain('CONV#<>#<> STATE#<>');
    expect(codeKeys()).toContain('NUMBEROWNER#<> OWNER');
    // Every variable of a key with four of them.
    expect(codeKeys()).toContain('CAMPAIGN#<>#<> DUE#<>#<>');
    expect(shape('OPTOUT#<tenantId>#<customer>')).toBe('OPTOUT#<>#<>');
  });
});
