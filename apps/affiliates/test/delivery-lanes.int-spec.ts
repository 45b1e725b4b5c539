import { randomUUID } from 'node:crypto';

import { startService, type RunningService } from '@app/runtime/service';
import { createTestInfra, eventually, LogCapture, type TestInfra } from '@app/testing';

import type { AffiliatesConfig } from '../src/affiliates.config';
import { AffiliatesService } from '../src/affiliates/affiliates.service';
import { affiliatesService } from '../src/definition';
import { AffiliateReceiver } from './support/receiver';

const LEASE_MS = 2000;
const SECRET = 'lanes-secret-0123456789';
/** Longer than any wait of these tests: only the lane's own lease may end a request. */
const HELD_FOREVER_MS = 120_000;

/**
 * Delivery lanes across replicas on the real Postgres: a short lease renewed by a heartbeat while the
 * owner works, lost (and the request in flight abandoned) when the owner cannot renew it.
 */
describe('affiliate delivery lanes: leases renewed while working, moved within seconds after a crash (real Postgres)', () => {
  let infra: TestInfra;
  let rx: AffiliateReceiver;
  const logs = new LogCapture();
  const replicas: RunningService<AffiliatesConfig>[] = [];

  const replica = async () => {
    const svc = await startService(affiliatesService, {
      env: {
        ...infra.env,
        AFFILIATE_LANE_LEASE_MS: String(LEASE_MS),
        AFFILIATE_REQUEST_TIMEOUT_MS: '120000',
        AFFILIATE_BATCH_INTERVAL_MS: '3600000',
        AFFILIATE_ALLOWED_HOSTS: rx.hostPort,
        AFFILIATE_ALLOW_HTTP: 'true',
      },
      logDestination: logs,
    });
    replicas.push(svc);
    return svc;
  };

  /** An affiliate pointing at the receiver, with one batch due now; returns the batch id. */
  const affiliateWithBatch = async (svc: RunningService<AffiliatesConfig>, id: string) => {
    await svc.app.get(AffiliatesService).upsert({ affiliate_id: id, name: id, webhook_url: rx.url, secret: SECRET });
    const deliveryId = randomUUID();
    await svc.dataSource.query(
      `INSERT INTO deliveries (id, affiliate_id, event, lead_count, body, state) VALUES ($1, $2, 'lead.ftd', 1, $3, 'pending')`,
      [
        deliveryId,
        id,
        JSON.stringify({
          event: 'lead.ftd',
          batch_at: '2026-03-10T12:00:00Z',
          leads: [{ affiliate_lead_id: `L-${id}` }],
        }),
      ],
    );
    return deliveryId;
  };

  const delivery = async (svc: RunningService<AffiliatesConfig>, id: string) => {
    const [d] = await svc.dataSource.query<{ state: string; attempts: number }[]>(
      `SELECT state, attempts FROM deliveries WHERE id = $1`,
      [id],
    );
    const [a] = await svc.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM delivery_attempts WHERE delivery_id = $1`,
      [id],
    );
    return { ...d, logged: a.n };
  };

  beforeAll(async () => {
    infra = await createTestInfra();
  });
  beforeEach(async () => {
    rx = await new AffiliateReceiver([SECRET]).start();
  });
  afterEach(async () => {
    // the receiver first: a request still held would keep a replica's shutdown waiting
    await rx.stop();
    for (const svc of replicas.splice(0)) await svc.stop();
  });
  afterAll(async () => {
    await infra?.cleanup();
  });

  it('keeps the lane of a live owner past several lease periods while its request runs: no second replica sends the batch', async () => {
    const a = await replica();
    await replica();
    rx.answers.push({ status: 200, delayMs: LEASE_MS * 3.5 });
    const id = await affiliateWithBatch(a, 'steady');

    await eventually('the slow batch delivered', async () => (await delivery(a, id)).state === 'delivered', {
      timeoutMs: 60000,
    });
    expect(rx.received).toHaveLength(1);
    expect(rx.abandoned).toBe(0);
    expect(await delivery(a, id)).toEqual({ state: 'delivered', attempts: 1, logged: 1 });
  });

  it('moves the lane of an owner whose database connection died to another replica within a few lease periods, same webhook-id', async () => {
    const a = await replica();
    rx.answers.push({ status: 200, delayMs: HELD_FOREVER_MS });
    const id = await affiliateWithBatch(a, 'crashy');
    await eventually("the first owner's request under way", () => rx.received.length === 1);
    const b = await replica();

    const crashedAt = Date.now();
    await a.dataSource.destroy();

    // the dead owner cannot renew, so it stops sending: its request in flight is abandoned
    await eventually("the crashed owner's request abandoned", () => rx.abandoned === 1);
    await eventually(
      'the batch delivered by the other replica',
      async () => (await delivery(b, id)).state === 'delivered',
      { timeoutMs: 60000 },
    );
    expect(rx.received).toHaveLength(2);
    expect(rx.received[1].at - crashedAt).toBeLessThan(LEASE_MS * 8);
    expect(rx.received[1].headers['webhook-id']).toBe(rx.received[0].headers['webhook-id']);
    expect(rx.received[1].headers['webhook-id']).toBe(id);
    expect(await delivery(b, id)).toEqual({ state: 'delivered', attempts: 1, logged: 1 });
  });

  it('stops sending on a lane whose lease was taken over, and records nothing for the abandoned request', async () => {
    const a = await replica();
    rx.answers.push({ status: 200, delayMs: HELD_FOREVER_MS });
    const id = await affiliateWithBatch(a, 'stolen');
    await eventually('the request under way', () => rx.received.length === 1);

    await a.dataSource.query(
      `UPDATE affiliates SET lane_owner = 'another-replica', lane_until = now() + interval '1 hour' WHERE id = 'stolen'`,
    );
    await eventually('the request abandoned once the lease is gone', () => rx.abandoned === 1);
    // a failure written now would reschedule a batch the new owner is working on
    expect(await delivery(a, id)).toEqual({ state: 'pending', attempts: 0, logged: 0 });

    // the other owner "crashes" too: its lease expires, and the batch goes out again with the same webhook-id
    await a.dataSource.query(`UPDATE affiliates SET lane_until = now() - interval '1 second' WHERE id = 'stolen'`);
    await eventually('delivered after the takeover', async () => (await delivery(a, id)).state === 'delivered', {
      timeoutMs: 60000,
    });
    expect(rx.received.map((r) => r.headers['webhook-id'])).toEqual([id, id]);
    expect(await delivery(a, id)).toEqual({ state: 'delivered', attempts: 1, logged: 1 });
  });
});
