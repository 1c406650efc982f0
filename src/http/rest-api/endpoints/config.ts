import { z } from 'zod';
import { CONFIG_DEFINITIONS, configSections, findConfigDefinition } from '../../../core/config/definitions.ts';
import type { UpdraftConfig } from '../../../core/config/updraft-config.ts';
import { NotFoundError } from '../../../core/errors.ts';
import type { Endpoint, EndpointRequest } from '../endpoint.ts';
import { RestApiHttpError } from '../error-responses.ts';
import { REST_API_PREFIX } from '../routes.ts';
import { configAsText, configSchema, serializeConfig, type ConfigJson } from '../serializers/config.ts';

const PATH = `${REST_API_PREFIX}/config`;

/**
 * `[api] expose_config`, checked after the auth manager allowed the caller, as Airflow does: an app wired
 * without the configuration (tests, tools) exposes nothing.
 */
function exposedConfig({ deps }: EndpointRequest): UpdraftConfig {
  if (!deps.config || !deps.config.getBoolean('api', 'expose_config')) {
    throw new RestApiHttpError(
      403,
      'Your Airflow administrator chose not to expose the configuration, most likely for security reasons. ' +
        'An administrator can set [api] expose_config = true (UPDRAFT__API__EXPOSE_CONFIG=true) on the REST API to allow it.',
    );
  }
  return deps.config;
}

/** Airflow's Accept negotiation: JSON (also for none or `*` / `*`), text/plain, or 406. */
function wantsText({ c }: EndpointRequest): boolean {
  const accept = c.req.header('accept') ?? '*/*';
  if (accept.startsWith('*/*') || accept.startsWith('application/json')) return false;
  if (accept.startsWith('text/plain')) return true;
  throw new RestApiHttpError(406, 'Only application/json or text/plain is supported. Send Accept: application/json or Accept: text/plain.');
}

function answer(request: EndpointRequest, config: ConfigJson, text: boolean): Response {
  if (text) return request.c.text(configAsText(config), 200);
  return request.c.json(config, 200);
}

export const CONFIG_ENDPOINTS: readonly Endpoint[] = [
  {
    operationId: 'get_config',
    method: 'get',
    path: PATH,
    tag: 'Config',
    summary: 'Get Config',
    description:
      "The REST API's effective configuration, section by section (`section` picks one). Refused (403) unless " +
      '`[api] expose_config` is true; sensitive values read `< hidden >`. `Accept: text/plain` answers in updraft.cfg form.',
    authorization: { kind: 'configuration', method: 'GET' },
    query: z.object({ section: z.string().optional() }),
    success: { status: 200, description: 'The configuration.', schema: configSchema },
    errors: [404],
    handle: (request) => {
      const text = wantsText(request);
      const config = exposedConfig(request);
      const section = request.query.section as string | undefined;
      if (section !== undefined && !configSections().includes(section)) {
        throw new NotFoundError(`Section ${section} not found. Sections: ${configSections().join(', ')}.`);
      }
      const entries = CONFIG_DEFINITIONS.filter((definition) => section === undefined || definition.section === section).map((definition) =>
        config.get(definition.section, definition.key),
      );
      return answer(request, serializeConfig(entries), text);
    },
  },
  {
    operationId: 'get_config_value',
    method: 'get',
    path: `${PATH}/section/{section}/option/{option}`,
    tag: 'Config',
    summary: 'Get Config Value',
    description:
      'One configuration value, in the same shape as get_config. Refused (403) unless `[api] expose_config` is true; ' +
      'a sensitive value reads `< hidden >`.',
    authorization: { kind: 'configuration', method: 'GET' },
    success: { status: 200, description: 'The section with the one option.', schema: configSchema },
    errors: [404],
    handle: (request) => {
      const text = wantsText(request);
      const config = exposedConfig(request);
      const { section, option } = request.params as { section: string; option: string };
      const definition = findConfigDefinition(section.toLowerCase(), option.toLowerCase());
      if (!definition) {
        throw new NotFoundError(`Option [${section}/${option}] not found. GET /api/v2/config lists the sections and options.`);
      }
      const entry = config.get(definition.section, definition.key);
      return answer(request, serializeConfig([{ ...entry, section, key: option }]), text);
    },
  },
];
