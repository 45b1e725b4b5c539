import type { NatsConnection } from '@nats-io/transport-node';
import type { DataSource } from 'typeorm';

import type { HealthReport } from '@app/contracts';

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms).unref(),
    ),
  ]);
}

/** Postgres and NATS, each with a short deadline; detail names the failure, never a credential. */
export async function checkDependencies(
  ds: DataSource | null,
  nc: NatsConnection,
  timeoutMs = 1500,
): Promise<HealthReport> {
  const checks: HealthReport['checks'] = {};
  const probes: Promise<void>[] = [];
  probes.push(
    (nc.isClosed() ? Promise.reject(new Error('connection closed')) : withTimeout(nc.flush(), timeoutMs, 'NATS'))
      .then(() => {
        checks.nats = { status: 'ok' };
      })
      .catch((err: Error) => {
        checks.nats = { status: 'fail', detail: err.message };
      }),
  );
  if (ds) {
    probes.push(
      withTimeout(ds.query('SELECT 1'), timeoutMs, 'Postgres')
        .then(() => {
          checks.postgres = { status: 'ok' };
        })
        .catch((err: Error) => {
          checks.postgres = { status: 'fail', detail: err.message.replace(/\/\/[^@]*@/, '//***@') };
        }),
    );
  }
  await Promise.all(probes);
  const status = Object.values(checks).every((c) => c.status === 'ok') ? 'ok' : 'degraded';
  return { status, checks };
}
