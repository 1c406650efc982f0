/**
 * The known name closest to a mistyped one, for "did you mean ...?" hints: Levenshtein distance, and
 * only when the distance is small next to the name's length (a wild guess is worse than none).
 */
export function closestName(input: string, known: readonly string[]): string | null {
  const wanted = input.toLowerCase();
  let best: { name: string; distance: number } | null = null;
  for (const name of known) {
    const distance = editDistance(wanted, name.toLowerCase());
    if (best === null || distance < best.distance) best = { name, distance };
  }
  if (best === null) return null;
  const allowed = Math.max(1, Math.floor(Math.max(wanted.length, best.name.length) / 3));
  return best.distance <= allowed ? best.name : null;
}

/** ` (did you mean "x"?)` or nothing. */
export function didYouMean(input: string, known: readonly string[]): string {
  const name = closestName(input, known);
  return name === null ? '' : ` (did you mean "${name}"?)`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
