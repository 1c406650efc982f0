import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderOpenApiDocument } from '../src/http/execution-api/openapi.ts';

/** `npm run openapi`: rewrites the committed OpenAPI document of the Task Execution API from the code. */
const target = fileURLToPath(new URL('../docs/openapi/execution-api.json', import.meta.url));
writeFileSync(target, renderOpenApiDocument());
console.log(`Wrote ${target}`);
