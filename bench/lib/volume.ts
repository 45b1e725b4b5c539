import { Client } from 'pg';

/**
 * "Flat as data grows": with BENCH_SEED set (the volume suite sets it), a suite calls `seedIfAsked` once its
 * services have migrated their schemas, and the suite then runs against tables already holding
 * 1,000,000 messages (each with one provider event), 1,000,000 lead events and 100,000 KYC records (with
 * one event each). The rows are bulk-loaded by generate_series inside Postgres (no client round trip per
 * row) and the tables ANALYZEd, so the planner sees the sizes production would show.
 *
 * `finish()` reads pg_stat_user_tables again and names every seeded table that was read by a sequential
 * scan during the measured run: a hot query that does not read by index shows there, whichever it is.
 */

export const SEED_SIZES = { messages: 1_000_000, leadEvents: 1_000_000, kycRecords: 100_000 } as const;

const SEEDED_TABLES = [
  'comms.messages',
  'comms.message_events',
  'affiliates.lead_events',
  'affiliates.leads',
  'kyc.kyc_records',
  'kyc.kyc_events',
] as const;

/** The queries the send, webhook, lookup and delivery paths run on the seeded tables, for their plans. */
const HOT_QUERIES: { name: string; schema: string; sql: string }[] = [
  {
    name: 'message by id',
    schema: 'comms',
    sql: `SELECT * FROM messages WHERE id = '00000000-0000-4000-8000-000000000001'`,
  },
  {
    name: 'message by provider id (callback)',
    schema: 'comms',
    sql: `SELECT * FROM messages WHERE provider = 'sendgrid' AND provider_message_id = 'seed-500000'`,
  },
  {
    name: "a customer's messages (lookup)",
    schema: 'comms',
    sql: `SELECT * FROM messages WHERE customer_id = 'seed-customer-42' ORDER BY created_at DESC LIMIT 50`,
  },
  {
    name: "a message's events (timeline)",
    schema: 'comms',
    sql: `SELECT * FROM message_events WHERE message_id = '00000000-0000-4000-8000-000000000001' ORDER BY at, id`,
  },
  {
    name: 'provider event de-duplication',
    schema: 'comms',
    sql: `SELECT 1 FROM message_events WHERE provider = 'sendgrid' AND provider_event_id = 'seed-event-77'`,
  },
  {
    name: "an affiliate's pending lead events (batching)",
    schema: 'affiliates',
    sql: `SELECT id FROM lead_events WHERE affiliate_id = 'seed-affiliate' AND status = 'pending' ORDER BY id LIMIT 100`,
  },
  {
    name: "an affiliate's suppressed count (stats)",
    schema: 'affiliates',
    sql: `SELECT count(*) FROM lead_events WHERE affiliate_id = 'seed-affiliate' AND status = 'suppressed'`,
  },
  {
    name: 'lead by customer (deposit intake)',
    schema: 'affiliates',
    sql: `SELECT * FROM leads WHERE customer_id = 'seed-lead-9'`,
  },
  {
    name: 'KYC record by customer',
    schema: 'kyc',
    sql: `SELECT * FROM kyc_records WHERE customer_id = '00000000-0000-4000-9000-000000000009'`,
  },
  {
    name: 'KYC record by applicant (webhook)',
    schema: 'kyc',
    sql: `SELECT * FROM kyc_records WHERE provider = 'sumsub' AND provider_id = 'seed-applicant-9'`,
  },
  {
    name: 'KYC event de-duplication (webhook)',
    schema: 'kyc',
    sql: `SELECT 1 FROM kyc_events WHERE provider = 'sumsub' AND event_key = 'seed-key-9'`,
  },
];

/** A uuid whose last 12 hex digits are `n` (the seeded rows' ids, deterministic). */
const uuidOf = (prefix: string, n: string) => `('${prefix}' || lpad(to_hex(${n}), 12, '0'))::uuid`;

async function schemaExists(db: Client, schema: string): Promise<boolean> {
  const r = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = $1`,
    [schema],
  );
  return r.rows[0].n !== '0';
}

async function seed(db: Client): Promise<string[]> {
  const done: string[] = [];
  if (await schemaExists(db, 'comms')) {
    await db.query(`INSERT INTO comms.messages
        (id, channel, provider, provider_message_id, status, to_address, customer_id, event_type, created_at, updated_at)
      SELECT ${uuidOf('00000000-0000-4000-8000-', 'g')}, 'email', 'sendgrid', 'seed-' || g, 'delivered',
             'lead' || g || '@example.com', 'seed-customer-' || (g % 100000), 'welcome',
             now() - make_interval(secs => g), now() - make_interval(secs => g)
        FROM generate_series(1, ${SEED_SIZES.messages}) g`);
    await db.query(`INSERT INTO comms.message_events (message_id, provider, provider_event_id, status, provider_status, applied, at)
      SELECT ${uuidOf('00000000-0000-4000-8000-', 'g')}, 'sendgrid', 'seed-event-' || g, 'delivered', 'delivered',
             true, now() - make_interval(secs => g)
        FROM generate_series(1, ${SEED_SIZES.messages}) g`);
    done.push(`${SEED_SIZES.messages} messages with an event each`);
  }
  if (await schemaExists(db, 'affiliates')) {
    await db.query(`INSERT INTO affiliates.affiliates (id, name, webhook_url, secret_sealed, secret_hint)
      VALUES ('seed-affiliate', 'Seeded volume', 'https://127.0.0.2/hook', 'sealed', '****')
      ON CONFLICT (id) DO NOTHING`);
    await db.query(`INSERT INTO affiliates.leads (customer_id, affiliate_id, affiliate_lead_id, country, ftd_at)
      SELECT 'seed-lead-' || g, 'seed-affiliate', 'L-seed-' || g, 'DE', now()
        FROM generate_series(1, ${SEED_SIZES.leadEvents / 4}) g`);
    await db.query(`INSERT INTO affiliates.lead_events (affiliate_id, customer_id, event, item, status, created_at)
      SELECT 'seed-affiliate', 'seed-lead-' || (g % ${SEED_SIZES.leadEvents / 4} + 1),
             (ARRAY['lead.registered', 'lead.kyc_approved', 'lead.deposit', 'lead.ftd'])[g % 4 + 1],
             '{}'::jsonb, CASE WHEN g % 10 = 0 THEN 'suppressed' ELSE 'batched' END, now() - make_interval(secs => g)
        FROM generate_series(1, ${SEED_SIZES.leadEvents}) g`);
    done.push(`${SEED_SIZES.leadEvents} lead events of ${SEED_SIZES.leadEvents / 4} leads`);
  }
  if (await schemaExists(db, 'kyc')) {
    await db.query(`INSERT INTO kyc.kyc_records (customer_id, provider, provider_id, status, gates, created_at, updated_at)
      SELECT ${uuidOf('00000000-0000-4000-9000-', 'g')}, 'sumsub', 'seed-applicant-' || g,
             (ARRAY['approved', 'rejected', 'on_hold', 'approved'])[g % 4 + 1], '{}'::jsonb,
             now() - make_interval(secs => g), now() - make_interval(secs => g)
        FROM generate_series(1, ${SEED_SIZES.kycRecords}) g`);
    await db.query(`INSERT INTO kyc.kyc_events
        (id, provider, event_key, source, event_type, provider_id, status, payload, customer_id, outcome, processed_at)
      SELECT gen_random_uuid(), 'sumsub', 'seed-key-' || g, 'webhook', 'applicantReviewed', 'seed-applicant-' || g,
             'approved', '{}'::jsonb, ${uuidOf('00000000-0000-4000-9000-', 'g')}, 'applied', now()
        FROM generate_series(1, ${SEED_SIZES.kycRecords}) g`);
    done.push(`${SEED_SIZES.kycRecords} KYC records with an event each`);
  }
  for (const t of SEEDED_TABLES) if (await tableExists(db, t)) await db.query(`ANALYZE ${t}`);
  return done;
}

async function tableExists(db: Client, qualified: string): Promise<boolean> {
  const r = await db.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [qualified]);
  return r.rows[0].t !== null;
}

interface ScanCounts {
  seq: number;
  seqRows: number;
  idx: number;
}

async function scans(db: Client): Promise<Map<string, ScanCounts>> {
  const r = await db.query<{ t: string; seq: string; rows: string; idx: string | null }>(
    `SELECT schemaname || '.' || relname AS t, seq_scan AS seq, seq_tup_read AS rows, idx_scan AS idx
       FROM pg_stat_user_tables`,
  );
  return new Map(r.rows.map((x) => [x.t, { seq: Number(x.seq), seqRows: Number(x.rows), idx: Number(x.idx ?? 0) }]));
}

/** Statistics reach pg_stat_user_tables from each backend at most every second or at its transaction end. */
const settle = () => new Promise((r) => setTimeout(r, 1_200));

async function plans(db: Client): Promise<string[]> {
  const out: string[] = [];
  for (const q of HOT_QUERIES) {
    if (!(await schemaExists(db, q.schema))) continue;
    await db.query(`SET search_path = ${q.schema}`);
    const r = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${q.sql}`);
    const plan = r.rows.map((x) => x['QUERY PLAN'].trim());
    const seq = plan.some((l) => /Seq Scan/.test(l));
    const scans = plan.filter((l) => /Scan/.test(l)).map((l) => l.replace(/^->\s*/, '').replace(/\s+\(cost=.*$/, ''));
    out.push(`${seq ? 'SEQ SCAN' : 'index'}  ${q.name}: ${scans.join(' + ')}`);
  }
  await db.query('RESET search_path');
  return out;
}

export interface Volume {
  /** What was seeded, one line per service. */
  seeded: string[];
  /** Seeded tables read by a sequential scan since seeding (with the rows it read), and the hot queries' plans. */
  finish(): Promise<{ seqScans: string[]; plans: string[] }>;
}

/** Seeds the tables of the services already migrated in `databaseUrl` when BENCH_SEED is set; else undefined. */
export async function seedIfAsked(databaseUrl: string): Promise<Volume | undefined> {
  if (!process.env.BENCH_SEED) return undefined;
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const started = Date.now();
  const seeded = await seed(db);
  process.stdout.write(`  seeded ${seeded.join('; ')} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  await settle();
  const before = await scans(db);
  return {
    seeded,
    async finish() {
      try {
        await settle();
        const after = await scans(db);
        const seqScans: string[] = [];
        for (const t of SEEDED_TABLES) {
          const a = after.get(t);
          const b = before.get(t);
          if (!a || !b || a.seq === b.seq) continue;
          seqScans.push(`${t}: ${a.seq - b.seq} sequential scans reading ${a.seqRows - b.seqRows} rows`);
        }
        return { seqScans, plans: await plans(db) };
      } finally {
        await db.end();
      }
    },
  };
}

/** Prints what finish() found and adds its sequential scans to volumeFindings. */
export async function reportVolume(volume: Volume | undefined): Promise<void> {
  if (!volume) return;
  const { seqScans, plans: p } = await volume.finish();
  process.stdout.write(
    `  sequential scans of seeded tables during the run: ${seqScans.length ? seqScans.join('; ') : 'none'}\n`,
  );
  for (const line of p) process.stdout.write(`    plan: ${line}\n`);
  volumeFindings.push(...seqScans, ...p.filter((l) => l.startsWith('SEQ SCAN')));
}

/** Every sequential scan found by reportVolume in this process (the volume suite reads it). */
export const volumeFindings: string[] = [];
