import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALL_ENDPOINTS } from '../../../../src/http/rest-api/endpoints/index.ts';
import { buildRestApiOpenApiDocument, renderRestApiOpenApiDocument } from '../../../../src/http/rest-api/openapi.ts';
import { UPDRAFT_VERSION } from '../../../../src/http/rest-api/package-version.ts';

const committedPath = fileURLToPath(new URL('../../../../docs/openapi/rest-api-v2.json', import.meta.url));

type Operation = { operationId: string; security: unknown[]; responses: Record<string, unknown>; parameters?: Array<{ name: string; in: string }> };
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

describe('the REST API OpenAPI document', () => {
  it('is committed exactly as the code generates it', () => {
    const committed = readFileSync(committedPath, 'utf8');
    if (committed !== renderRestApiOpenApiDocument(UPDRAFT_VERSION)) {
      expect.fail('docs/openapi/rest-api-v2.json differs from the REST API the code serves. Run `npm run openapi` and commit the file.');
    }
  });

  it('describes every endpoint once, under its Airflow operation id, with path parameters', () => {
    const doc = buildRestApiOpenApiDocument('1.0.0') as Doc;
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.values(doc.paths).flatMap((methods) => Object.values(methods));
    expect(operations.map((op) => op.operationId).sort()).toEqual(ALL_ENDPOINTS.map((endpoint) => endpoint.operationId).sort());
    for (const endpoint of ALL_ENDPOINTS) {
      const op = doc.paths[endpoint.path]![endpoint.method]!;
      const pathParameters = [...endpoint.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      expect((op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name), endpoint.operationId).toEqual(pathParameters);
    }
  });

  it('marks public endpoints as needing no token and documents 401/403 on the others', () => {
    const doc = buildRestApiOpenApiDocument('1.0.0') as Doc;
    for (const endpoint of ALL_ENDPOINTS) {
      const op = doc.paths[endpoint.path]![endpoint.method]!;
      if (endpoint.authorization.kind === 'public') expect(op.security, endpoint.operationId).toEqual([]);
      else expect(Object.keys(op.responses), endpoint.operationId).toEqual(expect.arrayContaining(['401', '403']));
    }
  });
});
