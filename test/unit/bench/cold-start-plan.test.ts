import { describe, expect, it } from 'vitest';
import { importFigures, type PlanStep, roundPlan, summarizeColdStarts } from '../../../bench/cold-start-plan';

const render = (steps: PlanStep<string>[]) =>
  steps.map((step) => (step.kind === 'baseline' ? 'B' : step.id)).join(' ');

describe('roundPlan', () => {
  const chain = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

  it('runs every function once, in chain order, with a baseline before every N functions', () => {
    expect(render(roundPlan(chain, 2, 0))).toBe('B a b B c d B e f B g');
    expect(render(roundPlan(chain, 4, 0))).toBe('B a b c d B e f g');
  });

  it('turns the baseline positions with the round, so it runs next to every function over the rounds', () => {
    expect(render(roundPlan(chain, 2, 1))).toBe('a B b c B d e B f g B');
    expect(render(roundPlan(chain, 4, 1))).toBe('a B b c d e B f g B');
    expect(render(roundPlan(chain, 4, 3))).toBe('a b c B d e f g B');
    expect(render(roundPlan(chain, 4, 4))).toBe(render(roundPlan(chain, 4, 0)));
    const neighbours = new Set<string>();
    for (let round = 0; round < 4; round++) {
      const steps = render(roundPlan(chain, 4, round)).split(' ');
      steps.forEach((step, index) => {
        if (step === 'B') neighbours.add(steps[index + 1] ?? 'end');
      });
    }
    expect([...neighbours].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'end', 'f', 'g']);
  });

  it('keeps the chain order and runs at least one baseline per round whatever N', () => {
    for (const every of [1, 3, 7, 10]) {
      for (let round = 0; round < 5; round++) {
        const steps = roundPlan(chain, every, round);
        expect(
          steps.filter((step) => step.kind === 'function').map((step) => (step as { id: string }).id),
        ).toEqual(chain);
        expect(steps.some((step) => step.kind === 'baseline')).toBe(true);
      }
    }
    expect(render(roundPlan([], 4, 0))).toBe('B');
    expect(render(roundPlan(chain, 0, 0))).toBe(render(roundPlan(chain, 1, 0)));
  });
});

describe('summarizeColdStarts', () => {
  const sample = (
    importCpuMs: number,
    totalCpuMs: number,
    importWallMs = importCpuMs,
    totalWallMs = totalCpuMs,
  ) => ({
    importCpuMs,
    totalCpuMs,
    importWallMs,
    totalWallMs,
  });

  it('takes medians of the whole cold start, of the import and of the first event per process', () => {
    const figures = summarizeColdStarts([
      sample(10, 40, 12, 60),
      sample(30, 50, 35, 80),
      sample(20, 90, 22, 100),
    ]);
    expect(figures).toEqual({
      cpuP50: 50,
      cpuP95: 90,
      wallP50: 80,
      wallP95: 100,
      importCpuP50: 20,
      importWallP50: 22,
      // First events: 30, 20, 70 (CPU); 48, 45, 78 (wall).
      firstEventCpuP50: 30,
      firstEventWallP50: 48,
      runs: 3,
    });
  });

  it('reports no figures, not zeros, when nothing was measured', () => {
    const figures = summarizeColdStarts([]);
    expect(figures.runs).toBe(0);
    expect(Number.isNaN(figures.cpuP50)).toBe(true);
  });

  it('keeps the import figures in the shape bench/import-time.ts reports', () => {
    expect(importFigures([sample(10, 40, 12, 60), sample(30, 50, 35, 80)])).toEqual({
      p50: 12,
      p95: 35,
      cpuP50: 10,
      cpuP95: 30,
      runs: 2,
    });
  });
});
