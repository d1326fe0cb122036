/**
 * A small deterministic PRNG (mulberry32): the soak draws every decision it makes (traffic,
 * faults, crashes) from streams seeded by `--seed`, so a failing run can be repeated. Timing on a
 * shared machine still varies, so two runs with one seed make the same choices, not the same
 * interleaving.
 */
export type Random = () => number;

export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** FNV-1a: stable 32-bit hash of a label, to derive independent streams from one seed. */
function hashLabel(label: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < label.length; index++) {
    hash ^= label.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * One independent stream per consumer ("simulator", "crashes:sender", "customer:7"), so adding
 * draws in one place never changes the sequence another sees.
 */
export function streamFor(seed: number, label: string): Random {
  return mulberry32((seed ^ hashLabel(label)) >>> 0);
}

export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new RangeError('pick from an empty list');
  return item;
}
