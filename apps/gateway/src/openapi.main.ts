import 'reflect-metadata';

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { buildOpenApiDocument, openApiJson } from './openapi.build';

/** `npm run openapi` (from the repository root): writes docs/openapi.json, with no NATS and no database. */
const target = join(process.cwd(), 'docs/openapi.json');
buildOpenApiDocument().then(
  (doc) => writeFileSync(target, openApiJson(doc)),
  (err: Error) => {
    process.stderr.write(`openapi: ${err.message}\n`);
    process.exit(1);
  },
);
