import type { ConfigDefinition, ConfigValue } from './definitions.ts';

/** A raw text value checked against its definition: the typed value, or what is wrong with it. */
export type ParsedValue = { ok: true; value: ConfigValue } | { ok: false; problem: string };

// Airflow's getboolean accepts exactly these (case-insensitive); anything else is an error, not false.
const TRUE_WORDS = new Set(['t', 'true', '1']);
const FALSE_WORDS = new Set(['f', 'false', '0']);

/**
 * Parses a value as written in updraft.cfg or an environment variable. `problem` is phrased to follow
 * "[section] key " and names the expected type and an example, so the caller only adds where it was.
 */
export function parseConfigValue(definition: ConfigDefinition, raw: string): ParsedValue {
  const text = raw.trim();
  switch (definition.type) {
    case 'string':
      return { ok: true, value: text };
    case 'list':
      return { ok: true, value: splitList(text) };
    case 'boolean': {
      const word = text.toLowerCase();
      if (TRUE_WORDS.has(word)) return { ok: true, value: true };
      if (FALSE_WORDS.has(word)) return { ok: true, value: false };
      return { ok: false, problem: `must be a boolean (true or false), e.g. ${definition.example}; got "${raw}"` };
    }
    case 'integer': {
      const bounds = describeBounds(definition.min, definition.max);
      if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
        return { ok: false, problem: `must be an integer${bounds}, e.g. ${definition.example}; got "${raw}"` };
      }
      const value = Number(text);
      if ((definition.min !== undefined && value < definition.min) || (definition.max !== undefined && value > definition.max)) {
        return { ok: false, problem: `must be an integer${bounds}, e.g. ${definition.example}; got ${value}` };
      }
      return { ok: true, value };
    }
    case 'enum': {
      // Case does not make a typo: "fargate_spot" means FARGATE_SPOT, and the canonical spelling is kept.
      const choice = definition.choices.find((candidate) => candidate.toLowerCase() === text.toLowerCase());
      if (choice !== undefined) return { ok: true, value: choice };
      return { ok: false, problem: `must be one of ${definition.choices.join(', ')}, e.g. ${definition.example}; got "${raw}"` };
    }
  }
}

/** Comma-separated, blanks around entries ignored, empty entries dropped ("a, b," is [a, b]). */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** How a value is printed for people and scripts: lists comma-joined, unset as the empty string. */
export function formatConfigValue(value: ConfigValue): string {
  if (value === null) return '';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

function describeBounds(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}
