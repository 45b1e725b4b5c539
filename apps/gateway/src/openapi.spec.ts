import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { Document, Spectral, type ISpectralDiagnostic, type RulesetDefinition } from '@stoplight/spectral-core';
import { Json } from '@stoplight/spectral-parsers';
import { oas } from '@stoplight/spectral-rulesets';

import { renderApiReference } from './api-reference';
import { buildOpenApiDocument, OPENAPI_FILE as COMMITTED, openApiJson } from './openapi.build';

describe('docs/openapi.json', () => {
  it('is what the controllers produce (run `npm run openapi` after changing them)', async () => {
    expect(readFileSync(COMMITTED, 'utf8')).toBe(openApiJson(await buildOpenApiDocument()));
  });

  it('has its reference, docs/api.md, rendered from it (run `npm run openapi`)', () => {
    const doc = JSON.parse(readFileSync(COMMITTED, 'utf8')) as Parameters<typeof renderApiReference>[0];
    const reference = readFileSync(join(dirname(COMMITTED), 'api.md'), 'utf8');
    expect(reference).toBe(renderApiReference(doc));
    // every operation is in it, by its operationId
    for (const item of Object.values(doc.paths))
      for (const op of Object.values(item)) if (op.operationId) expect(reference).toContain(`\`${op.operationId}\``);
  });

  it('passes Spectral spectral:oas with no error and no warning', async () => {
    const spectral = new Spectral();
    spectral.setRuleset(oas as RulesetDefinition);
    const results = await spectral.run(new Document(readFileSync(COMMITTED, 'utf8'), Json, COMMITTED));
    const findings = results
      .filter((r: ISpectralDiagnostic) => Number(r.severity) <= 1)
      .map((r) => `${r.code} ${r.path.join('.')}: ${r.message}`);
    expect(findings).toEqual([]);
  });
});
