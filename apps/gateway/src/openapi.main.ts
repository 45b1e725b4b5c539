import 'reflect-metadata';

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { renderApiReference } from './api-reference';
import { buildOpenApiDocument, openApiJson } from './openapi.build';

/** `npm run openapi` (from the repository root): writes docs/openapi.json and docs/api.md, with no NATS and no database. */
const target = join(process.cwd(), 'docs/openapi.json');
buildOpenApiDocument().then(
  (doc) => {
    const json = openApiJson(doc);
    writeFileSync(target, json);
    writeFileSync(
      join(process.cwd(), 'docs/api.md'),
      renderApiReference(JSON.parse(json) as Parameters<typeof renderApiReference>[0]),
    );
  },
  (err: Error) => {
    process.stderr.write(`openapi: ${err.message}\n`);
    process.exit(1);
  },
);
