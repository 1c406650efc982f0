/**
 * fnmatch-style matching of S3 keys, as Airflow's S3 sensors and triggers use it (Python's `fnmatch`): `*`
 * matches anything (slashes included), `?` one character, `[seq]` one character of the set and `[!seq]` one
 * outside it; everything else is literal.
 */
export function wildcardToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*') source += '[\\s\\S]*';
    else if (char === '?') source += '[\\s\\S]';
    else if (char === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) {
        source += '\\[';
        continue;
      }
      let set = pattern.slice(i + 1, end);
      const negated = set.startsWith('!');
      if (negated) set = set.slice(1);
      source += `[${negated ? '^' : ''}${set.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** Whether `key` matches the fnmatch `pattern`. */
export function matchesWildcard(key: string, pattern: string): boolean {
  return wildcardToRegExp(pattern).test(key);
}

/** The literal part of a pattern before its first wildcard: the prefix to list objects under. */
export function wildcardPrefix(pattern: string): string {
  const index = pattern.search(/[*?[]/);
  return index === -1 ? pattern : pattern.slice(0, index);
}
