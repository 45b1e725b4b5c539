import { randomBytes } from 'node:crypto';

import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';

import { eventStreamNames } from '@app/messaging';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestInfra {
  natsUrl: string;
  /** A database of its own for this test file. */
  databaseUrl: string;
  /** A NATS subject prefix of its own for this test file (streams and consumers derive from it). */
  prefix: string;
  /** Environment for startService/startGateway pointing at the above. */
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

/**
 * Real NATS and Postgres for one test file: NATS_URL / DATABASE_URL when set, else the loopback
 * defaults, else containers (testcontainers) where a Docker engine exists. Each call gets its own
 * database and subject prefix, so test files run in parallel without seeing each other.
 */
export async function createTestInfra(): Promise<TestInfra> {
  const id = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  let natsUrl = process.env.NATS_URL ?? DEFAULT_NATS_URL;
  let adminUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const stops: (() => Promise<unknown>)[] = [];
  if (!(await reachable(natsUrl, adminUrl))) {
    const containers = await startContainers();
    natsUrl = containers.natsUrl;
    adminUrl = containers.databaseUrl;
    stops.push(containers.stop);
  }
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${id}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${id}`;
  const databaseUrl = u.toString();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NATS_URL: natsUrl,
    DATABASE_URL: databaseUrl,
    NATS_SUBJECT_PREFIX: id,
    HTTP_PORT: '0',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    PLATFORM_API_KEYS: TEST_API_KEY,
    VAULT_MASTER_KEYS: TEST_VAULT_KEYS,
    CONNECTOR_ALLOWED_HOSTS: process.env.CONNECTOR_ALLOWED_HOSTS ?? '127.0.0.1',
    // The whole platform shares one jest process here, so its event-loop delay is every service's and
    // the test runner's, not the gateway's: lag shedding is off unless a test turns it on (its own spec does).
    GATEWAY_MAX_EVENT_LOOP_DELAY_MS: process.env.GATEWAY_MAX_EVENT_LOOP_DELAY_MS ?? '0',
  };
  return {
    natsUrl,
    databaseUrl,
    prefix: id,
    env,
    async cleanup() {
      const nc = await connect({ servers: natsUrl });
      try {
        const jsm = await jetstreamManager(nc);
        await jsm.streams.delete(eventStreamNames(id).stream).catch(() => undefined);
      } finally {
        await nc.close();
      }
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${id} WITH (FORCE)`);
      await c.end();
      for (const stop of stops) await stop();
    },
  };
}

export const TEST_API_KEY = 'test-platform-key-0123456789abcdef';
/** A fixed test master key (never used outside tests). */
export const TEST_VAULT_KEYS = `test1:${Buffer.alloc(32, 7).toString('base64')}`;

async function reachable(natsUrl: string, dbUrl: string): Promise<boolean> {
  try {
    const nc = await connect({ servers: natsUrl, timeout: 2000 });
    await nc.close();
    const c = new Client({ connectionString: dbUrl, connectionTimeoutMillis: 2000 });
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/** Only reached on a machine with a Docker engine and without local NATS/Postgres. */
async function startContainers(): Promise<{ natsUrl: string; databaseUrl: string; stop: () => Promise<void> }> {
  const { GenericContainer, getContainerRuntimeClient } = await import('testcontainers');
  await getContainerRuntimeClient().catch(() => {
    throw new Error(
      'NATS/Postgres are not reachable at NATS_URL/DATABASE_URL (or the loopback defaults) and no Docker engine is available for testcontainers',
    );
  });
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const pg = await new PostgreSqlContainer('postgres:15-alpine').start();
  const nats = await new GenericContainer('nats:2.10-alpine').withCommand(['-js']).withExposedPorts(4222).start();
  return {
    natsUrl: `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`,
    databaseUrl: pg.getConnectionUri(),
    stop: async () => {
      await nats.stop();
      await pg.stop();
    },
  };
}

/** One query against a test database, on a connection of its own. */
export async function queryRows<T = Record<string, unknown>>(
  databaseUrl: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}
