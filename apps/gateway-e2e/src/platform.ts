import type { ServiceName } from '@app/contracts';
import { startService, type RunningService, type ServiceDefinition, type StartOptions } from '@app/runtime/service';
import { createPlatformClient, type PlatformClient } from '@app/sdk';
import { createTestInfra, LogCapture, TEST_API_KEY, type TestInfra } from '@app/testing';

import { affiliatesService } from '../../affiliates/src/definition';
import { catalogService } from '../../catalog/src/definition';
import { commsService } from '../../comms/src/definition';
import { startGateway as startBareGateway, type RunningGateway } from '../../gateway/src/gateway';
import { kycService } from '../../kyc/src/definition';
import { paymentsService } from '../../payments/src/definition';
import { watchGateway } from './answers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const DEFINITIONS: Record<ServiceName, ServiceDefinition<any>> = {
  catalog: catalogService,
  payments: paymentsService,
  kyc: kycService,
  comms: commsService,
  affiliates: affiliatesService,
};

/**
 * Starts one service of DEFINITIONS, or `def` in its place. The map erases each definition's config
 * type, so the running service is typed with the common ServiceConfig, here once.
 */
export function startDefined(name: ServiceName, opts: StartOptions, def = DEFINITIONS[name]): Promise<RunningService> {
  return startService(def, opts) as Promise<RunningService>;
}

export interface Platform {
  infra: TestInfra;
  gateway: RunningGateway;
  services: Map<ServiceName, RunningService[]>;
  logs: LogCapture;
  /** The published SDK against the gateway, with the platform key. */
  sdk: PlatformClient;
  /** fetch against the gateway with the platform key. */
  api(path: string, init?: RequestInit & { json?: unknown; auth?: boolean }): Promise<Response>;
  startReplica(name: ServiceName): Promise<RunningService>;
  stop(): Promise<void>;
}

/** A gateway in this process whose every answer is checked against docs/openapi.json. */
export async function startGateway(opts: Parameters<typeof startBareGateway>[0]): Promise<RunningGateway> {
  const gateway = await startBareGateway(opts);
  watchGateway(gateway.url);
  return gateway;
}

/** Every service (or the ones named) and the gateway, in this process, on real NATS and Postgres. */
export async function startPlatform(
  opts: {
    services?: ServiceName[];
    env?: NodeJS.ProcessEnv;
    /** Replaces a service's definition (e.g. a catalog with a fixture connector directory). */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    definitions?: Partial<Record<ServiceName, ServiceDefinition<any>>>;
  } = {},
): Promise<Platform> {
  const infra = await createTestInfra();
  const env = { ...infra.env, ...opts.env };
  const logs = new LogCapture();
  const services = new Map<ServiceName, RunningService[]>();
  const startReplica = async (name: ServiceName) => {
    const svc = await startDefined(name, { env, logDestination: logs }, opts.definitions?.[name]);
    services.set(name, [...(services.get(name) ?? []), svc]);
    return svc;
  };
  for (const name of opts.services ?? (Object.keys(DEFINITIONS) as ServiceName[])) await startReplica(name);
  const gateway = await startGateway({ env, logDestination: logs });
  return {
    infra,
    gateway,
    services,
    logs,
    startReplica,
    sdk: createPlatformClient({ baseUrl: gateway.url, apiKey: TEST_API_KEY }),
    api(path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.auth !== false) headers.set('authorization', `Bearer ${TEST_API_KEY}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      }
      return fetch(`${gateway.url}${path}`, { ...init, headers, body });
    },
    async stop() {
      await gateway.stop();
      for (const list of services.values()) for (const s of list) await s.stop();
      await infra.cleanup();
    },
  };
}
