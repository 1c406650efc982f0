import { ConfigError } from '../errors.ts';
import { CONFIG_DEFINITIONS, configEnvVariable, configSections, type ConfigDefinition } from './definitions.ts';
import { formatConfigValue } from './value-parsing.ts';

/** The markers around the generated key reference in docs/configuration.md. */
export const REFERENCE_BEGIN = '<!-- BEGIN GENERATED CONFIG REFERENCE: edit src/core/config/definitions.ts, not this block -->';
export const REFERENCE_END = '<!-- END GENERATED CONFIG REFERENCE -->';

/** Markdown for every key, one table per section, in the order of the definitions. */
export function renderConfigReference(definitions: readonly ConfigDefinition[] = CONFIG_DEFINITIONS): string {
  const parts: string[] = [];
  for (const section of configSections(definitions)) {
    parts.push(`### [${section}]`, '', '| Key | Type | Default | Environment variable | Description |', '| --- | --- | --- | --- | --- |');
    for (const definition of definitions.filter((candidate) => candidate.section === section)) {
      const type = definition.type === 'enum' ? `enum: ${definition.choices.map((choice) => `\`${choice}\``).join(', ')}` : definition.type;
      const description =
        `${definition.description} Example: \`${definition.example}\`.` + (definition.sensitive ? ' Sensitive: `config list` hides it.' : '');
      parts.push(
        `| \`${definition.key}\` | ${type} | ${renderDefault(definition)} | \`${configEnvVariable(definition.section, definition.key)}\` | ${escapeCell(description)} |`,
      );
    }
    parts.push('');
  }
  return parts.join('\n');
}

/** The document with its generated block replaced by `block`. */
export function replaceConfigReference(document: string, block: string): string {
  const begin = document.indexOf(REFERENCE_BEGIN);
  const end = document.indexOf(REFERENCE_END);
  if (begin === -1 || end === -1 || end < begin) {
    throw new ConfigError(`The document has no generated block: it needs the lines\n${REFERENCE_BEGIN}\n${REFERENCE_END}`);
  }
  return `${document.slice(0, begin + REFERENCE_BEGIN.length)}\n\n${block}\n${document.slice(end)}`;
}

function renderDefault(definition: ConfigDefinition): string {
  if (definition.default === null) return '(unset)';
  const text = formatConfigValue(Array.isArray(definition.default) ? [...definition.default] : (definition.default as string | number | boolean));
  return text === '' ? '(empty)' : `\`${text}\``;
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|');
}
