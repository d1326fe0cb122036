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

/** Below this many letters a word must match exactly: short words have too many neighbours. */
export const MIN_TYPO_LETTERS = 5;

/**
 * Keywords of five letters or more tolerate one typo in a word of five letters or more
 * ("pakage", "delivry"). Both sides count: "ordr" has 4 letters, so it is not read as "order"
 * (nor "tack" or "trak" as "track": "tack" is a word of its own).
 */
export function sameWord(said: string, keyword: string): boolean {
  if (said === keyword) return true;
  return (
    keyword.length >= MIN_TYPO_LETTERS &&
    said.length >= MIN_TYPO_LETTERS &&
    editDistance(said, keyword, 1) <= 1
  );
}

/** Lower case without accents ("Café" -> "cafe"): how keywords and options are compared. */
export function foldCase(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '');
}
