import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type StageConfig, stageConfig } from '../../lib/config';

/** The "Stage settings" table of docs/operations.md is the documentation of lib/config.ts: they must agree. */
const DOC = 'docs/operations.md';
const STAGES = ['dev', 'prod'] as const;
/** Settings that may be absent (undefined), shown as an em dash. */
const OPTIONAL: readonly string[] = ['publicBaseUrl'];
const ABSENT = '—';

function leaves(value: object, prefix = ''): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (inner !== null && typeof inner === 'object') Object.assign(result, leaves(inner, `${prefix}${key}.`));
    else result[`${prefix}${key}`] = inner;
  }
  return result;
}

function docTable(): Map<string, Record<(typeof STAGES)[number], string>> {
  const doc = readFileSync(DOC, 'utf8');
  const block = /<!-- stage-config:start -->([\s\S]*?)<!-- stage-config:end -->/.exec(doc)?.[1];
  if (!block) throw new Error(`${DOC} has no stage-config table`);
  const rows = new Map<string, Record<(typeof STAGES)[number], string>>();
  for (const line of block.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const name = /^`([^`]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!name) continue;
    rows.set(name, { dev: cells[2] ?? '', prod: cells[3] ?? '' });
  }
  return rows;
}

function shown(value: unknown): string {
  return value === undefined ? ABSENT : `\`${String(value)}\``;
}

describe('stage settings table (docs/operations.md)', () => {
  const table = docTable();
  const configs = Object.fromEntries(STAGES.map((stage) => [stage, leaves(stageConfig(stage))])) as Record<
    (typeof STAGES)[number],
    Record<string, unknown>
  >;

  it('has one row per setting of StageConfig (except the stage name itself)', () => {
    const names = new Set([...STAGES.flatMap((stage) => Object.keys(configs[stage])), ...OPTIONAL]);
    names.delete('stage' satisfies keyof StageConfig);
    expect([...table.keys()].sort()).toEqual([...names].sort());
  });

  it.each(STAGES)('shows the %s values of lib/config.ts', (stage) => {
    for (const [name, cells] of table) expect(cells[stage], name).toBe(shown(configs[stage][name]));
  });
});
