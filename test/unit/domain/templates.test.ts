import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderTemplate, templateVariables } from '../../../lambdas/domain/templates';

describe('templates', () => {
  it('accepts every seed system syntax', () => {
    const template = 'A {{order}} B ${order} C {{entity:order}} D {{vrbl:ORDER}} E {{ order }}';
    expect(templateVariables(template)).toEqual(['order', 'order', 'order', 'ORDER', 'order']);
    expect(renderTemplate(template, { order: '42' })).toBe('A 42 B 42 C 42 D 42 E 42');
  });

  it('leaves unknown tokens visible rather than blank', () => {
    expect(renderTemplate('Hi {{name}}', {})).toBe('Hi {{name}}');
  });

  it('inserts values as text: no value is ever expanded again', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        expect(renderTemplate('[{{a}}]', { a: value, b: 'SECRET' })).toBe(`[${value}]`);
      }),
    );
    expect(renderTemplate('{{a}}', { a: '{{b}} ${b}', b: 'SECRET' })).toBe('{{b}} ${b}');
  });
});
