import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { workflowSchema } from '../../../lambdas/domain/workflow/definition';

/** The workflow field table of docs/workflows.md documents lambdas/domain/workflow/definition.ts: they must agree. */
const DOC = 'docs/workflows.md';
interface Field {
  /** Required wherever the field appears (in every variable type that has it). */
  required: boolean;
  /** The default, when the schema gives one. */
  defaultValue?: unknown;
  /** Variable types that have the field; undefined outside variables or when every type has it. */
  variants?: Set<string>;
  /** Numbers the table's bounds must show: maximum lengths and counts, number ranges. */
  bounds: Set<number>;
}

type Def = z.core.$ZodTypeDef & Record<string, unknown>;

function defOf(schema: unknown): Def {
  return (schema as z.core.$ZodType)._zod.def as Def;
}

function boundsOf(def: Def): number[] {
  const checks = (def.checks ?? []) as z.core.$ZodCheck[];
  return checks.flatMap((check) => {
    const inner = check._zod.def as z.core.$ZodCheckDef & Record<string, unknown>;
    if (inner.check === 'max_length') return [inner.maximum as number];
    if (inner.check === 'less_than' || inner.check === 'greater_than') return [inner.value as number];
    return [];
  });
}

/** Every field path of the schema (`routes[].mandatoryVariables[].pattern`), unions merged. */
function schemaFields(): Map<string, Field> {
  const fields = new Map<string, Field>();
  const variantCounts = new Map<string, number>();

  const record = (path: string, field: Omit<Field, 'bounds'>, bounds: number[], variant?: string) => {
    const known = fields.get(path);
    const entry = known ?? { ...field, bounds: new Set<number>() };
    if (known) entry.required &&= field.required;
    if (field.defaultValue !== undefined) entry.defaultValue = field.defaultValue;
    for (const bound of bounds) entry.bounds.add(bound);
    if (variant !== undefined) (entry.variants ??= new Set()).add(variant);
    fields.set(path, entry);
  };

  const visit = (
    schema: unknown,
    path: string,
    required: boolean,
    variant?: string,
    defaultValue?: unknown,
  ) => {
    const def = defOf(schema);
    switch (def.type) {
      case 'optional':
        return visit(def.innerType, path, false, variant, defaultValue);
      case 'default':
        return visit(def.innerType, path, false, variant, def.defaultValue);
      case 'union': {
        const options = def.options as unknown[];
        for (const option of options) {
          const typeField = (defOf(option).shape as Record<string, unknown> | undefined)?.type;
          const literal = typeField ? (defOf(typeField).values as string[] | undefined)?.[0] : undefined;
          // A union of a value and a map by language (languages) is no variable type: the variant stays.
          visit(option, path, required, literal ?? variant, defaultValue);
        }
        variantCounts.set(path, options.length);
        return;
      }
      case 'array': {
        const element = defOf(def.element);
        // A list of values is one row, with the bounds of each value; a list of objects has rows per field.
        if (element.type !== 'object' && element.type !== 'union')
          return record(path, { required, defaultValue }, [...boundsOf(def), ...boundsOf(element)], variant);
        record(path, { required, defaultValue }, boundsOf(def), variant);
        return visit(def.element, `${path}[]`, true, variant);
      }
      case 'object': {
        if (path && !path.endsWith('[]')) record(path, { required, defaultValue }, [], variant);
        const shape = def.shape as Record<string, unknown>;
        for (const [key, inner] of Object.entries(shape)) {
          visit(inner, path ? `${path}.${key}` : key, true, variant);
        }
        return;
      }
      default:
        return record(path, { required, defaultValue }, boundsOf(def), variant);
    }
  };
  visit(workflowSchema, '', true);

  // A field every variable type has is not specific to any.
  for (const [path, field] of fields) {
    const union = [...variantCounts].find(([prefix]) => path.startsWith(`${prefix}.`));
    if (union && field.variants?.size === union[1]) field.variants = undefined;
  }
  return fields;
}

interface Row {
  type: string;
  required: string;
  bounds: string;
}

function docTable(): Map<string, Row> {
  const doc = readFileSync(DOC, 'utf8');
  const block = /<!-- workflow-fields:start -->([\s\S]*?)<!-- workflow-fields:end -->/.exec(doc)?.[1];
  if (!block) throw new Error(`${DOC} has no workflow-fields table`);
  const rows = new Map<string, Row>();
  for (const line of block.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const path = /^`([^`]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!path) continue;
    if (rows.has(path)) throw new Error(`${DOC} lists ${path} twice`);
    rows.set(path, { type: cells[2] ?? '', required: cells[3] ?? '', bounds: cells[4] ?? '' });
  }
  return rows;
}

describe('workflow field table (docs/workflows.md)', () => {
  const fields = schemaFields();
  const table = docTable();

  it('has one row per field of the schema, and no row the schema lacks', () => {
    expect([...table.keys()].sort()).toEqual([...fields.keys()].sort());
  });

  it('says which fields are required, and shows the defaults', () => {
    for (const [path, field] of fields) {
      const cell = table.get(path)?.required ?? '';
      expect(cell.startsWith(field.required ? 'yes' : 'no'), `${path}: "${cell}"`).toBe(true);
      const shown = field.defaultValue;
      if (shown !== undefined && (typeof shown !== 'object' || Array.isArray(shown)))
        expect(cell, path).toContain(`\`${JSON.stringify(shown)}\``);
    }
  });

  it('names the variable types a field belongs to', () => {
    for (const [path, field] of fields) {
      for (const variant of field.variants ?? [])
        expect(table.get(path)?.type, path).toContain(`\`${variant}\``);
    }
  });

  it('shows every bound of the schema', () => {
    for (const [path, field] of fields) {
      for (const bound of field.bounds) expect(table.get(path)?.bounds, path).toContain(String(bound));
    }
  });

  it('finds the fields it must (the walk itself is sound)', () => {
    expect(fields.get('fallback.maxAttempts')).toMatchObject({ required: false, defaultValue: 3 });
    expect(fields.get('routes[].mandatoryVariables[].pattern')?.variants).toEqual(new Set(['pattern']));
    expect(fields.get('routes[].mandatoryVariables[].prompt')).toMatchObject({ required: true });
    expect(fields.get('routes[].mandatoryVariables[].prompt')?.variants).toBeUndefined();
    expect([...(fields.get('expiresAfterHours')?.bounds ?? [])].sort((a, b) => a - b)).toEqual([1, 720]);
  });
});
