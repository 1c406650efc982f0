import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, renderOpenApiDocument } from '../../../../src/http/execution-api/openapi.ts';
import { OPERATION_IDS } from '../../../../src/http/execution-api/operations.ts';

const committedPath = fileURLToPath(new URL('../../../../docs/openapi/execution-api.json', import.meta.url));

type Doc = {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown>; requestBody?: unknown }>>;
  components: { schemas: Record<string, { required?: string[]; properties?: Record<string, unknown> }>; parameters: Record<string, { schema: { enum: string[] } }> };
  'x-updraft-api-versions': Array<{ version: string; changes: Array<{ name: string }> }>;
};

describe('the OpenAPI document', () => {
  it('is committed exactly as the server generates it', () => {
    const committed = readFileSync(committedPath, 'utf8');
    const generated = renderOpenApiDocument();
    if (committed !== generated) {
      // The diff alone does not say what to do about it.
      expect.fail(
        'docs/openapi/execution-api.json differs from the Execution API the code serves. Run `npm run openapi` and commit the file.\n' +
          firstDifference(committed, generated),
      );
    }
  });

  it('describes every operation, the versions and the head schemas', () => {
    const doc = buildOpenApiDocument() as Doc;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('2026-11-23');
    const operations = Object.values(doc.paths).flatMap((methods) => Object.values(methods).map((op) => op.operationId));
    expect(operations.sort()).toEqual([...OPERATION_IDS].sort());
    expect(doc.components.parameters.ApiVersion?.schema.enum).toEqual(['2026-11-23', '2026-11-22', '2026-06-01']);
    expect(doc['x-updraft-api-versions'].map((v) => [v.version, v.changes.map((c) => c.name)])).toEqual([
      ['2026-11-23', ['AddFirstRescheduleDateToStartAnswer', 'AddMappedInputsToStartAnswer']],
      ['2026-11-22', ['AddRunAfterToStartAnswer', 'RenameRetryToRetryable']],
      ['2026-06-01', []],
    ]);
    const start = doc.paths['/execution/task-instances/{id}/run']?.patch;
    expect(Object.keys(start?.responses ?? {})).toEqual(['200', '400', '401', '403', '404', '409', '422', '500']);
    expect(doc.components.schemas.FinishRequest?.required).toEqual(['state', 'workerId', 'endDate']);
    expect(doc.components.schemas.FinishRequest?.properties).toHaveProperty('retryable');
    expect(Object.keys(doc.components.schemas).sort()).toEqual(
      ['Error', 'FinishRequest', 'Health', 'HeartbeatRequest', 'StartRequest', 'StartedAttempt', 'XCom', 'XComValueRequest'],
    );
  });
});

function firstDifference(a: string, b: string): string {
  const left = a.split('\n');
  const right = b.split('\n');
  const line = left.findIndex((text, i) => text !== right[i]);
  const at = line < 0 ? left.length : line;
  return `First difference at line ${at + 1}:\n  committed: ${left[at] ?? '(end of file)'}\n  generated: ${right[at] ?? '(end of file)'}`;
}
