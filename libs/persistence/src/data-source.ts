import { DataSource, type EntitySchema, type MixedList } from 'typeorm';

/** An entity or migration class, as TypeORM takes them. */
export type PersistedClass = abstract new (...args: never[]) => unknown;

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ServiceDataSourceOptions {
  url: string;
  /** The service's own schema; every query of the service runs with it as search_path. */
  schema: string;

  entities: MixedList<PersistedClass | string | EntitySchema>;

  migrations: MixedList<PersistedClass | string>;
  poolSize?: number;
}

export function createServiceDataSource(opts: ServiceDataSourceOptions): DataSource {
  if (!/^[a-z_][a-z0-9_]*$/.test(opts.schema)) throw new Error(`invalid schema name: ${opts.schema}`);
  return new DataSource({
    type: 'postgres',
    url: opts.url,
    schema: opts.schema,
    entities: opts.entities,
    migrations: opts.migrations,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    logging: false,
    extra: {
      max: opts.poolSize ?? 10,
      options: `-c search_path=${opts.schema}`,
      connectionTimeoutMillis: 5000,
    },
  });
}

/**
 * Connects, creates the schema and runs pending migrations, under an advisory lock so that replicas
 * starting together do not race each other.
 */
export async function initializeServiceDataSource(ds: DataSource): Promise<DataSource> {
  if (!ds.isInitialized) await ds.initialize();
  const schema = (ds.options as { schema: string }).schema;
  const runner = ds.createQueryRunner();
  try {
    await runner.connect();
    await runner.query(`SELECT pg_advisory_lock(hashtext($1))`, [`migrations:${schema}`]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await ds.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`migrations:${schema}`]);
    }
  } finally {
    await runner.release();
  }
  return ds;
}
