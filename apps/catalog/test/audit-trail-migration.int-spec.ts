import { AuditTrailTable1767000000000, MessagingTables1764000000000 } from '@app/messaging';
import { createServiceDataSource, initializeServiceDataSource, type PersistedClass } from '@app/persistence';
import { createTestInfra, queryRows, type TestInfra } from '@app/testing';

import { Catalog1764000001000 } from '../src/database/migrations/1764000001000-catalog';
import { AuditScope1764000001100 } from '../src/database/migrations/1764000001100-audit-scope';
import { AuditTrail1767000001000 } from '../src/database/migrations/1767000001000-audit-trail';

/** The catalog's own audit rows become audit_trail rows: field names only, sorted; its table goes. */
describe('the catalog audit_log moving into audit_trail (real Postgres)', () => {
  let infra: TestInfra;
  const migrate = async (migrations: PersistedClass[]) => {
    const ds = createServiceDataSource({ url: infra.databaseUrl, schema: 'catalog', entities: [], migrations });
    await initializeServiceDataSource(ds);
    await ds.destroy();
  };

  beforeAll(async () => {
    infra = await createTestInfra();
  });
  afterAll(async () => {
    await infra?.cleanup();
  });

  it('keeps who, when, what and the field names of every row', async () => {
    const before = [MessagingTables1764000000000, Catalog1764000001000, AuditScope1764000001100];
    await migrate(before);
    await queryRows(
      infra.databaseUrl,
      `INSERT INTO catalog.audit_log (actor, scope, provider_key, category, action, details) VALUES
        ('key_a', 'admin', 'sendgrid', 'email', 'activated',
         '{"credential_fields": ["api_key"], "settings": ["from_email", "base_url"], "make_default": false}'),
        ('key_b', 'read', 'gmail', 'email', 'deactivated', '{}'),
        ('key_a', 'admin', 'gmail', 'email', 'default_changed', '{"category": "email"}')`,
    );
    await migrate([...before, AuditTrailTable1767000000000, AuditTrail1767000001000]);
    expect(
      await queryRows(
        infra.databaseUrl,
        'SELECT actor, scope, action, target, fields FROM catalog.audit_trail ORDER BY id',
      ),
    ).toEqual([
      {
        actor: 'key_a',
        scope: 'admin',
        action: 'activated',
        target: 'sendgrid',
        fields: ['api_key', 'base_url', 'from_email'],
      },
      { actor: 'key_b', scope: 'read', action: 'deactivated', target: 'gmail', fields: [] },
      { actor: 'key_a', scope: 'admin', action: 'default_changed', target: 'gmail', fields: ['default_provider'] },
    ]);
    expect(await queryRows(infra.databaseUrl, `SELECT to_regclass('catalog.audit_log') AS t`)).toEqual([{ t: null }]);
  });
});
