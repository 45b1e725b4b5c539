import type { DataSource } from 'typeorm';

import { createLogger } from '@app/observability';
import { createTestInfra, LogCapture, type TestInfra } from '@app/testing';

import { createServiceDataSource, initializeServiceDataSource } from '../src';

const ADDRESS = 'bob.recipient@example.com';

describe('a failing query in the logs (real Postgres)', () => {
  let infra: TestInfra;
  let ds: DataSource;

  beforeAll(async () => {
    infra = await createTestInfra();
    ds = await initializeServiceDataSource(
      createServiceDataSource({ url: infra.databaseUrl, schema: 'probe', entities: [], migrations: [] }),
    );
    await ds.query('CREATE TABLE recipients (id serial PRIMARY KEY, email text UNIQUE NOT NULL, n int)');
    await ds.query('INSERT INTO recipients (email) VALUES ($1)', [ADDRESS]);
  });
  afterAll(async () => {
    await ds?.destroy();
    await infra?.cleanup();
  });

  const logged = async (fail: () => Promise<unknown>) => {
    const err = await fail().then(
      () => {
        throw new Error('the query should have failed');
      },
      (e: unknown) => e,
    );
    const logs = new LogCapture();
    createLogger('probe', logs).error({ err }, 'unhandled error');
    return { text: logs.text(), entry: logs.entries()[0] as { err: Record<string, unknown> } };
  };

  it('carries the query text and the error code, never the parameters or values echoed by Postgres', async () => {
    for (const fail of [
      () => ds.query('INSERT INTO recipients (email) VALUES ($1)', [ADDRESS]), // unique violation: detail repeats the value
      () => ds.query('SELECT * FROM recipients WHERE n = $1', [ADDRESS]), // invalid input: the message repeats it
    ]) {
      const { text, entry } = await logged(fail);
      expect(entry.err.query).toMatch(/recipients/);
      expect(entry.err.code).toMatch(/^(23505|22P02)$/);
      expect(text).not.toContain(ADDRESS);
      expect(text).not.toContain('bob.recipient');
    }
  });

  it('does the same for a pg error that TypeORM did not wrap', async () => {
    const runner = ds.createQueryRunner();
    await runner.connect();
    try {
      const pgClient = (
        runner as unknown as { databaseConnection: { query(q: string, p: unknown[]): Promise<unknown> } }
      ).databaseConnection;
      const { text, entry } = await logged(() =>
        pgClient.query('INSERT INTO probe.recipients (email) VALUES ($1)', [ADDRESS]),
      );
      expect(entry.err.code).toBe('23505');
      expect(text).not.toContain(ADDRESS);
    } finally {
      await runner.release();
    }
  });
});
