/**
 * fnmatch-style matching of S3 keys, as Airflow's S3 sensors and triggers use it: `*` matches any run of
 * characters (slashes included, as Python's fnmatch), `?` one character, `[abc]` / `[!abc]` a set.
 */
export function wildcardToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i]!;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) {
        source += '\\[';
        continue;
      }
      let set = pattern.slice(i + 1, end);
      if (set.startsWith('!')) set = `^${set.slice(1)}`;
      source += `[${set.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else source += char.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

/** The literal part of a pattern before its first wildcard: the prefix to list under. */
export function wildcardPrefix(pattern: string): string {
  const first = pattern.search(/[*?[]/);
  return first === -1 ? pattern : pattern.slice(0, first);
}
