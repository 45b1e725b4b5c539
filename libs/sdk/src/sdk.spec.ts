import { readFileSync } from 'node:fs';

import { generateSchema, SCHEMA_FILE } from './generate';
import { createPlatformClient, type Problem } from './index';

describe('the SDK', () => {
  it('is typed by docs/openapi.json as it is (run `npm run openapi` after changing the document)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(generateSchema());
  });

  it('sends the key and answers typed data, or the problem of an error answer', async () => {
    const seen: Request[] = [];
    const answers = [
      new Response(JSON.stringify({ providers: [] }), { headers: { 'content-type': 'application/json' } }),
      new Response(
        JSON.stringify({ type: 'urn:problem-type:not-found', title: 'Not Found', status: 404, detail: 'x' }),
        {
          status: 404,
          headers: { 'content-type': 'application/problem+json' },
        },
      ),
    ];
    const client = createPlatformClient({
      baseUrl: 'http://gateway.test',
      apiKey: 'key-1',
      fetch: (request: Request) => Promise.resolve((seen.push(request), answers.shift()!)),
    });
    const list = await client.GET('/api/platform/integrations/providers', { params: { query: { category: 'email' } } });
    const missing = await client.GET('/api/platform/integrations/providers/{key}', {
      params: { path: { key: 'nope' } },
    });
    const problem: Problem | undefined = missing.error;
    expect(list.data?.providers).toEqual([]);
    expect(problem?.status).toBe(404);
    expect(seen.map((r) => [r.url, r.headers.get('authorization')])).toEqual([
      ['http://gateway.test/api/platform/integrations/providers?category=email', 'Bearer key-1'],
      ['http://gateway.test/api/platform/integrations/providers/nope', 'Bearer key-1'],
    ]);
  });
});
