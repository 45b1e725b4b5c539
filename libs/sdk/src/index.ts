import createClient, { type Client, type ClientOptions } from 'openapi-fetch';

import type { components, paths } from './schema';

export type { components, operations, paths } from './schema';

/** Every schema of the platform's document, by name (`Schemas['ProviderView']`). */
export type Schemas = components['schemas'];
/** The body of every error answer (`application/problem+json`). */
export type Problem = components['schemas']['Problem'];
export type PlatformClient = Client<paths>;

/**
 * A typed client of the gateway: `client.GET('/api/platform/integrations/providers/{key}', { params: { path:
 * { key } } })` answers `{ data }` typed by the document, or `{ error }` typed as its Problem.
 */
export function createPlatformClient(options: ClientOptions & { baseUrl: string; apiKey?: string }): PlatformClient {
  const { apiKey, ...rest } = options;
  const client = createClient<paths>(rest);
  if (apiKey) {
    client.use({
      onRequest({ request }) {
        request.headers.set('authorization', `Bearer ${apiKey}`);
        return request;
      },
    });
  }
  return client;
}
