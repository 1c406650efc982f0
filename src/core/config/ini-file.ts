import { ConfigError } from '../errors.ts';

/** One `key = value` line of an INI file, with its 1-based line number for error messages. */
export interface IniAssignment {
  section: string;
  key: string;
  value: string;
  line: number;
  /** The line of the `[section]` header the key is under. */
  sectionLine: number;
}

/**
 * Parses airflow.cfg-style INI text: `[section]` headers, `key = value` (or `key: value`) lines, and
 * whole-line `#`/`;` comments. Section and key names are case-insensitive (returned lower-case). As
 * Python's configparser in strict mode, a key set twice in a section, or a section opened twice, is an
 * error. Unlike it, there are no inline comments (an executor entry holds `#`) and no continuation lines.
 * Whether a section or key exists is the caller's business.
 */
export function parseIniText(path: string, text: string): IniAssignment[] {
  const assignments: IniAssignment[] = [];
  const problems: string[] = [];
  const sectionLines = new Map<string, number>();
  const keyLines = new Map<string, number>();
  let section: string | null = null;
  let sectionLine = 0;

  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = index + 1;
    const content = rawLine.trim();
    if (content === '' || content.startsWith('#') || content.startsWith(';')) return;
    const header = /^\[\s*([^\]]*?)\s*\]$/.exec(content);
    if (header) {
      const name = header[1]!.toLowerCase();
      if (name === '') {
        problems.push(`${path}:${line}: a section header needs a name, e.g. [core].`);
        return;
      }
      const earlier = sectionLines.get(name);
      if (earlier !== undefined) {
        problems.push(`${path}:${line}: section [${name}] was already opened on line ${earlier}; keep its keys under one header.`);
      }
      sectionLines.set(name, line);
      section = name;
      sectionLine = line;
      return;
    }
    const delimiter = content.search(/[=:]/);
    if (delimiter <= 0) {
      problems.push(`${path}:${line}: expected "[section]" or "key = value", got "${content}".`);
      return;
    }
    const key = content.slice(0, delimiter).trim().toLowerCase();
    const value = content.slice(delimiter + 1).trim();
    if (section === null) {
      problems.push(`${path}:${line}: "${key}" comes before any section; put it under a header such as [core].`);
      return;
    }
    const earlier = keyLines.get(`${section}.${key}`);
    if (earlier !== undefined) {
      problems.push(`${path}:${line}: [${section}] ${key} is already set on line ${earlier}; set it once.`);
      return;
    }
    keyLines.set(`${section}.${key}`, line);
    assignments.push({ section, key, value, line, sectionLine });
  });

  if (problems.length > 0) throw new ConfigError(joinProblems(`The configuration file ${path} cannot be read`, problems));
  return assignments;
}

/** One problem reads as a sentence; several as a list, so a user fixes them all in one go. */
export function joinProblems(heading: string, problems: readonly string[]): string {
  if (problems.length === 1) return `${heading}: ${problems[0]}`;
  return `${heading} (${problems.length} problems):\n${problems.map((problem) => `  - ${problem}`).join('\n')}`;
}
