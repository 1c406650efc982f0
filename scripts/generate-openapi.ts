import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderOpenApiDocument } from '../src/http/execution-api/openapi.ts';
import { UPDRAFT_VERSION } from '../src/http/rest-api/package-version.ts';
import { renderRestApiOpenApiDocument } from '../src/http/rest-api/openapi.ts';

/** `npm run openapi`: rewrites the committed OpenAPI documents (Task Execution API, REST API) from the code. */
const documents: Array<[string, string]> = [
  ['../docs/openapi/execution-api.json', renderOpenApiDocument()],
  ['../docs/openapi/rest-api-v2.json', renderRestApiOpenApiDocument(UPDRAFT_VERSION)],
];
for (const [path, text] of documents) {
  const target = fileURLToPath(new URL(path, import.meta.url));
  writeFileSync(target, text);
  console.log(`Wrote ${target}`);
}
