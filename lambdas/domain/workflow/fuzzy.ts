/**
 * Optimal-string-alignment distance (Damerau-Levenshtein with adjacent transpositions), stopping
 * early once it exceeds `limit`: keyword matching only ever asks "is it within one typo?".
 */
export function editDistance(a: string, b: string, limit = 1): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previousPrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (previousPrevious[j - 2] as number) + 1);
      }
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
    previousPrevious = previous;
    previous = current;
  }
  return previous[b.length] as number;
}

/** Keywords of five letters or more tolerate one typo ("pakage", "delivry"); shorter ones must match exactly. */
export function sameWord(said: string, keyword: string): boolean {
  if (said === keyword) return true;
  return keyword.length >= 5 && said.length >= 4 && editDistance(said, keyword, 1) <= 1;
}
