import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_DEFINITIONS, configEnvVariable } from '../../../../src/core/config/definitions.ts';
import { REFERENCE_BEGIN, REFERENCE_END, renderConfigReference, replaceConfigReference } from '../../../../src/core/config/reference-doc.ts';
import { ConfigError } from '../../../../src/core/errors.ts';

const DOC = new URL('../../../../docs/configuration.md', import.meta.url);

describe('docs/configuration.md', () => {
  it('holds the reference generated from CONFIG_DEFINITIONS (regenerate: UPDRAFT_WRITE_DOCS=1 npx vitest run test/unit/core/config/reference-doc.test.ts)', () => {
    const document = readFileSync(DOC, 'utf8');
    const expected = replaceConfigReference(document, renderConfigReference());
    if (process.env.UPDRAFT_WRITE_DOCS === '1' && expected !== document) writeFileSync(DOC, expected);
    else expect(document).toBe(expected);
  });

  it('documents every key with its variable and default', () => {
    const block = renderConfigReference();
    for (const definition of CONFIG_DEFINITIONS) {
      expect(block).toContain(`| \`${definition.key}\` |`);
      expect(block).toContain(configEnvVariable(definition.section, definition.key));
    }
    expect(block).toContain('| `executor` | list | `lambda` | `UPDRAFT__CORE__EXECUTOR` |');
    expect(block).toContain('| `cluster` | string | (unset) |');
    expect(block).toContain('| `subnets` | list | (empty) |');
    expect(block).toContain('| `capacity_provider` | enum: `FARGATE`, `FARGATE_SPOT` | `FARGATE` |');
    expect(block).toMatch(/\| `jwt_secret` \|.*Sensitive: `config list` hides it\. \|/);
  });
});

describe('replaceConfigReference', () => {
  it('replaces only what lies between the markers', () => {
    const document = `# T\n\n${REFERENCE_BEGIN}\nstale\n${REFERENCE_END}\nafter\n`;
    expect(replaceConfigReference(document, 'fresh\n')).toBe(`# T\n\n${REFERENCE_BEGIN}\n\nfresh\n\n${REFERENCE_END}\nafter\n`);
  });

  it('refuses a document without the markers, saying which lines it needs', () => {
    expect(() => replaceConfigReference('# T\n', 'x')).toThrow(ConfigError);
    expect(() => replaceConfigReference('# T\n', 'x')).toThrow(REFERENCE_BEGIN);
  });
});

describe('CONFIG_DEFINITIONS', () => {
  it('defines each key once, in snake_case, with a default that its own type accepts', async () => {
    const { parseConfigValue, formatConfigValue } = await import('../../../../src/core/config/value-parsing.ts');
    const ids = CONFIG_DEFINITIONS.map((definition) => `${definition.section}.${definition.key}`);
    expect(new Set(ids).size).toBe(ids.length);
    for (const definition of CONFIG_DEFINITIONS) {
      expect(`${definition.section}.${definition.key}`).toMatch(/^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/);
      expect(parseConfigValue(definition, definition.example).ok, `example of ${definition.key}`).toBe(true);
      if (definition.default !== null) {
        const text = formatConfigValue(Array.isArray(definition.default) ? [...definition.default] : (definition.default as string | number | boolean));
        expect(parseConfigValue(definition, text), `default of ${definition.key}`).toEqual({ ok: true, value: definition.default });
      }
    }
  });
});
