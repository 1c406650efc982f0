import { z } from 'zod';
import { HIDDEN_VALUE, type ConfigEntry } from '../../../core/config/updraft-config.ts';
import { formatConfigValue } from '../../../core/config/value-parsing.ts';
import { isSensitiveName } from '../../../services/secrets/sensitive-names.ts';
import { REDACTED } from './redact.ts';

/**
 * The configuration in Airflow's Config shape (`{"sections": [{"name", "options": [{"key", "value"}]}]}`)
 * and its text/plain form (airflow.cfg's `[section]` / `key = value`). Values are strings as Airflow's
 * are: lists comma-separated, unset values empty.
 */

export const configOptionSchema = z.object({ key: z.string(), value: z.string() });
export const configSectionSchema = z.object({ name: z.string(), options: z.array(configOptionSchema) });
export const configSchema = z.object({ sections: z.array(configSectionSchema) });

export type ConfigJson = z.infer<typeof configSchema>;

/**
 * Sensitive keys are `< hidden >` whether set or not (Airflow hides them in the API even to admins); a
 * key whose name looks secret gets the secrets masker's `***`, as Airflow's ConfigOption redacts.
 */
export function displayedValue(entry: Pick<ConfigEntry, 'key' | 'value' | 'sensitive'>): string {
  if (entry.sensitive) return HIDDEN_VALUE;
  if (isSensitiveName(entry.key)) return REDACTED;
  return formatConfigValue(entry.value);
}

/** Entries grouped by section, in the order given. */
export function serializeConfig(entries: readonly ConfigEntry[]): ConfigJson {
  const sections = new Map<string, Array<{ key: string; value: string }>>();
  for (const entry of entries) {
    const options = sections.get(entry.section) ?? [];
    options.push({ key: entry.key, value: displayedValue(entry) });
    sections.set(entry.section, options);
  }
  return { sections: [...sections.entries()].map(([name, options]) => ({ name, options })) };
}

export function configAsText(config: ConfigJson): string {
  return config.sections.map((section) => `[${section.name}]\n${section.options.map((o) => `${o.key} = ${o.value}`).join('\n')}\n`).join('\n');
}
