import { createHmac, randomUUID } from 'node:crypto';

import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Client } from 'pg';

import { SumsubFake } from '@app/connectors/providers/sumsub/sumsub.fake';
import type { GatesReevaluatedEvent, KycRecordView, KycStatusChangedEvent } from '@app/contracts';
import { eventually } from '@app/testing';

import { startPlatform, type Platform } from '../src/platform';

const CREDS = {
  app_token: 'sbx:e2e-app-token-0001',
  secret_key: 'e2e-secret-key-abcdef',
  webhook_secret: 'e2e-webhook-secret-123456',
};
type Problem = { status: number; detail: string; errors?: { field: string; message: string }[] };
type Hook = { body: Buffer; headers: Record<string, string> };

describe('KYC through the gateway (real NATS and Postgres, the SumSub fake)', () => {
  let p: Platform;
  let fake: SumsubFake;
  let db: Client;
  let nc: NatsConnection;
  const published: { subject: string; data: unknown }[] = [];

  const json = async <T>(res: Response) => (await res.json()) as T;
  const record = async (customerId: string) =>
    json<KycRecordView>(await p.api(`/api/platform/kyc/customers/${customerId}`));
  const post = (hook: Hook) =>
    fetch(`${p.gateway.url}/webhooks/kyc/sumsub`, { method: 'POST', body: hook.body, headers: hook.headers });
  const createApplicant = async (customerId = randomUUID(), extra: Record<string, unknown> = {}) => {
    const res = await p.api('/api/platform/kyc/applicants', {
      method: 'POST',
      json: { customer_id: customerId, email: 'lead@example.com', ...extra },
    });
    expect(res.status).toBe(200);
    return json<{
      customer_id: string;
      provider: string;
      provider_id: string;
      access_token: string;
      verification_url: string | null;
    }>(res);
  };
  const outbox = async (subject: string, customerId: string) =>
    (
      await db.query(
        `SELECT payload FROM kyc.outbox WHERE subject = $1 AND payload->>'customer_id' = $2 ORDER BY created_at`,
        [subject, customerId],
      )
    ).rows.map((r: { payload: unknown }) => r.payload);
  const gatesEvents = (c: string) => outbox('evt.compliance.gates.reevaluated', c) as Promise<GatesReevaluatedEvent[]>;
  const statusEvents = (c: string) => outbox('evt.kyc.status.changed', c) as Promise<KycStatusChangedEvent[]>;
  const counts = async () =>
    (
      await db.query(
        `SELECT (SELECT count(*)::int FROM kyc.kyc_events) AS events, (SELECT count(*)::int FROM kyc.outbox) AS outbox`,
      )
    ).rows[0] as { events: number; outbox: number };
  const settled = (customerId: string, status: string) =>
    eventually(`${customerId} ${status}`, async () => {
      const r = await record(customerId);
      return r.status === status && r.history.every((h) => h.outcome !== null) ? r : null;
    });
  /** A webhook with a chosen SumSub timestamp (`createdAtMs`) and review result. */
  const reviewed = (
    applicantId: string,
    customerId: string,
    at: Date,
    result: Record<string, unknown>,
    alg?: 'HMAC_SHA1_HEX' | 'HMAC_SHA256_HEX' | 'HMAC_SHA512_HEX',
  ) =>
    fake.signedWebhook(
      {
        applicantId,
        correlationId: randomUUID(),
        externalUserId: customerId,
        levelName: 'basic-kyc-level',
        type: 'applicantReviewed',
        reviewStatus: 'completed',
        reviewResult: result,
        createdAtMs: at.toISOString().replace('T', ' ').replace('Z', ''),
      },
      alg,
    );
  const passport = { idDocs: [{ idDocType: 'PASSPORT', country: 'GBR', validUntil: '2035-06-30' }], dob: '1990-05-05' };
  /** An applicant created through the gateway whose documents are uploaded and reviewed at the fake. */
  const reviewedApplicant = async (
    info: Parameters<SumsubFake['setApplicantInfo']>[1],
    answer: 'GREEN' | 'RED',
    type?: 'RETRY' | 'FINAL',
    labels: string[] = [],
  ) => {
    const a = await createApplicant();
    fake.setApplicantInfo(a.provider_id, info);
    fake.completeReview(a.provider_id, answer, type, labels);
    return a;
  };

  beforeAll(async () => {
    fake = await new SumsubFake({
      appToken: CREDS.app_token,
      secretKey: CREDS.secret_key,
      webhookSecret: CREDS.webhook_secret,
    }).start();
    p = await startPlatform({
      services: ['catalog', 'kyc'],
      env: { KYC_RESTRICTED_COUNTRIES: 'KP,IR,SY', KYC_ENRICH_RETRY_MS: '200' },
    });
    const activated = await p.api('/api/platform/integrations/providers/sumsub/activate', {
      method: 'POST',
      json: { credentials: CREDS, settings: { base_url: fake.baseUrl } },
    });
    expect(activated.status).toBe(200);
    db = new Client({ connectionString: p.infra.databaseUrl });
    await db.connect();
    nc = await connect({ servers: p.infra.natsUrl });
    for (const s of ['evt.kyc.status.changed', 'evt.compliance.gates.reevaluated']) {
      nc.subscribe(`${p.infra.prefix}.${s}`, {
        callback: (_e, m) => {
          published.push({ subject: s, data: m.json() });
        },
      });
    }
    await nc.flush();
  });
  afterAll(async () => {
    await nc?.close();
    await db?.end();
    await p?.stop();
    await fake?.stop();
  });

  it('creates the applicant with a correctly signed request and returns the WebSDK access token', async () => {
    const customerId = randomUUID();
    const a = await createApplicant(customerId, { phone: '+447700900123' });
    const create = fake.requests.find(
      (r) =>
        r.method === 'POST' &&
        r.path === '/resources/applicants' &&
        (JSON.parse(r.rawBody.toString()) as { externalUserId?: string }).externalUserId === customerId,
    )!;
    expect(create.rejected).toBeUndefined();
    expect(create.query.get('levelName')).toBe('basic-kyc-level');
    expect(JSON.parse(create.rawBody.toString())).toEqual({
      externalUserId: customerId,
      email: 'lead@example.com',
      phone: '+447700900123',
    });
    const ts = create.headers['x-app-access-ts'] as string;
    const expected = createHmac('sha256', CREDS.secret_key)
      .update(`${ts}POST/resources/applicants?levelName=basic-kyc-level`)
      .update(create.rawBody)
      .digest('hex');
    expect(create.headers['x-app-access-sig']).toBe(expected);
    expect(create.headers['x-app-token']).toBe(CREDS.app_token);
    const token = fake.accessTokens.find((t) => t.userId === customerId)!;
    expect(a).toEqual({
      customer_id: customerId,
      provider: 'sumsub',
      provider_id: fake.applicants.get(a.provider_id)!.id,
      access_token: token.token,
      verification_url: null,
    });

    const r = await record(customerId);
    expect(r).toMatchObject({
      customer_id: customerId,
      provider: 'sumsub',
      provider_id: a.provider_id,
      verification_url: null,
      status: 'pending',
      doc_type: null,
      doc_country: null,
    });
    // the record starts `pending`, and its history says so
    expect(r.history).toEqual([
      {
        status: 'pending',
        at: expect.any(String),
        provider_status: null,
        type: 'applicant_created',
        source: 'internal',
        outcome: 'applied',
      },
    ]);
    expect(r.gates).toEqual({
      identity: 'pending',
      document: 'pending',
      country: 'pending',
      age: 'pending',
      screening: 'pending',
      all_passed: false,
    });
    expect(await statusEvents(customerId)).toEqual([
      expect.objectContaining({ status: 'pending', previous_status: null }),
    ]);
  });

  it('honours Idempotency-Key: the first answer and no second provider call; another body is a 409', async () => {
    const customerId = randomUUID();
    const call = (body: Record<string, unknown>) =>
      p.api('/api/platform/kyc/applicants', {
        method: 'POST',
        json: body,
        headers: { 'idempotency-key': `key-${customerId}` },
      });
    const creates = () =>
      fake.requests.filter((r) => r.path === '/resources/applicants' && r.rawBody.toString().includes(customerId))
        .length;
    const first = await call({ customer_id: customerId, email: 'a@example.com' });
    expect(first.status).toBe(200);
    const again = await call({ email: 'a@example.com', customer_id: customerId });
    expect(again.status).toBe(200);
    const firstBody = await json<{ access_token: string }>(first);
    expect(await again.json()).toEqual(firstBody);
    // the remembered answer holds the access token: sealed at rest, never in clear
    const stored = JSON.stringify(
      (await db.query(`SELECT * FROM kyc.idempotency_keys WHERE key = $1`, [`key-${customerId}`])).rows,
    );
    expect(stored).toContain('sealed');
    expect(stored).not.toContain(firstBody.access_token);
    expect(creates()).toBe(1);
    expect(fake.accessTokens.filter((t) => t.userId === customerId)).toHaveLength(1);
    const other = await call({ customer_id: customerId, email: 'b@example.com' });
    expect(other.status).toBe(409);
    expect((await json<Problem>(other)).detail).toMatch(/Idempotency-Key/);
    expect(creates()).toBe(1);
  });

  it('a concurrent duplicate (same Idempotency-Key and body) waits for the first answer instead of a 409', async () => {
    const customerId = randomUUID();
    const call = () =>
      p.api('/api/platform/kyc/applicants', {
        method: 'POST',
        json: { customer_id: customerId },
        headers: { 'idempotency-key': `dup-${customerId}` },
      });
    fake.slowDown(2000);
    let answers: Response[];
    try {
      answers = await Promise.all([call(), call(), call()]);
    } finally {
      fake.slowDown(0);
    }
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const bodies = await Promise.all(answers.map((a) => a.json()));
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    expect(
      fake.requests.filter((r) => r.path === '/resources/applicants' && r.rawBody.toString().includes(customerId)),
    ).toHaveLength(1);
  });

  it('never calls the provider again for a key whose first request was interrupted mid-flight: 409, every retry the same answer', async () => {
    const customerId = randomUUID();
    const call = () =>
      p.api('/api/platform/kyc/applicants', {
        method: 'POST',
        json: { customer_id: customerId },
        headers: { 'idempotency-key': `crash-${customerId}` },
      });
    const creates = () =>
      fake.requests.filter((r) => r.path === '/resources/applicants' && r.rawBody.toString().includes(customerId));
    expect((await call()).status).toBe(200);
    // as a kyc replica leaves it when SIGKILLed after the provider call, before the answer was stored
    await db.query(
      `UPDATE kyc.idempotency_keys SET state = 'pending', response = NULL, updated_at = now() - interval '10 minutes' WHERE key = $1`,
      [`crash-${customerId}`],
    );
    for (let i = 0; i < 2; i++) {
      const retry = await call();
      expect(retry.status).toBe(409);
      expect((await json<Problem>(retry)).detail).toMatch(/interrupted/);
    }
    expect(creates()).toHaveLength(1);
  });

  it('refuses a doc_country outside ISO 3166-1 with 400 naming doc_country, and stores nothing', async () => {
    const events = await counts();
    for (const docCountry of ['XX', 'zz', 'UK']) {
      const res = await p.api('/webhooks/kyc', {
        method: 'POST',
        json: { customer_id: randomUUID(), provider: 'manual', status: 'approved', doc_country: docCountry },
      });
      expect([docCountry, res.status]).toEqual([docCountry, 400]);
      expect((await json<Problem>(res)).errors?.map((e) => e.field)).toEqual(['doc_country']);
    }
    expect(await counts()).toEqual(events);
  });

  it('internal format without event_id: the same body after a different decision is a new decision; an immediate retry is a duplicate', async () => {
    const customerId = randomUUID();
    const approved = {
      customer_id: customerId,
      provider: 'manual',
      provider_id: 'case-11',
      status: 'approved',
      doc_type: 'passport',
      doc_country: 'gb',
      birth_date: '1980-01-01',
    };
    const send = async (body: Record<string, unknown>) =>
      json<{ duplicate: boolean; status: string }>(await p.api('/webhooks/kyc', { method: 'POST', json: body }));
    expect(await send(approved)).toMatchObject({ duplicate: false, status: 'approved' });
    expect(await send({ ...approved, status: 'rejected' })).toMatchObject({ duplicate: false, status: 'rejected' });
    expect(await send(approved)).toMatchObject({ duplicate: false, status: 'approved' });
    expect(await send(approved)).toMatchObject({ duplicate: true, status: 'approved' });
    const r = await record(customerId);
    expect(r.status).toBe('approved');
    expect(r.doc_country).toBe('GB');
    expect(r.history.map((h) => h.status)).toEqual(['approved', 'rejected', 'approved']);
  });

  it('refuses bad input naming every field, calls no provider and stores nothing', async () => {
    const before = fake.requests.length;
    const rows = async () =>
      (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM kyc.kyc_records')).rows[0].n;
    const stored = await rows();
    const bad = await p.api('/api/platform/kyc/applicants', {
      method: 'POST',
      json: { customer_id: 'crm-42', email: 'nope', phone: '12345', level: 'x' },
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await json<Problem>(bad)).errors?.map((e) => e.field).sort()).toEqual([
      'customer_id',
      'email',
      'level',
      'phone',
    ]);
    const missing = await p.api('/api/platform/kyc/applicants', { method: 'POST', json: {} });
    expect((await json<Problem>(missing)).errors?.map((e) => e.field)).toEqual(['customer_id']);
    const badKey = await p.api('/api/platform/kyc/applicants', {
      method: 'POST',
      json: { customer_id: randomUUID() },
      headers: { 'idempotency-key': 'x'.repeat(300) },
    });
    expect(badKey.status).toBe(400);
    expect((await json<Problem>(badKey)).errors?.map((e) => e.field)).toEqual(['idempotency_key']);
    expect(fake.requests.length).toBe(before);
    expect(await rows()).toBe(stored);

    const badId = await p.api('/api/platform/kyc/customers/not-a-uuid');
    expect(badId.status).toBe(400);
    expect((await json<Problem>(badId)).errors?.map((e) => e.field)).toEqual(['customer_id']);
    expect((await p.api(`/api/platform/kyc/customers/${randomUUID()}`)).status).toBe(404);

    const events = await counts();
    const internal = await p.api('/webhooks/kyc', {
      method: 'POST',
      json: {
        customer_id: 'x',
        provider: 'Manual!',
        status: 'done',
        doc_type: 'visa',
        doc_country: 'GBR',
        birth_date: '1/2/1990',
        raw_result: 'x',
      },
    });
    expect(internal.status).toBe(400);
    expect((await json<Problem>(internal)).errors?.map((e) => e.field).sort()).toEqual([
      'birth_date',
      'customer_id',
      'doc_country',
      'doc_type',
      'provider',
      'raw_result',
      'status',
    ]);
    expect(await counts()).toEqual(events);
  });

  it('applies a signed GREEN applicantReviewed: approved, document filled from the applicant fetch, exactly one gates event', async () => {
    const a = await reviewedApplicant(passport, 'GREEN');
    const res = await post(fake.webhookFor(a.provider_id));
    expect(res.status).toBe(200);
    const r = await settled(a.customer_id, 'approved');
    expect(r).toMatchObject({ doc_type: 'passport', doc_country: 'GB', reject_labels: [] });
    expect(r.gates).toEqual({
      identity: 'pass',
      document: 'pass',
      country: 'pass',
      age: 'pass',
      screening: 'pass',
      all_passed: true,
    });
    expect(r.history).toEqual([
      expect.objectContaining({ status: 'pending', type: 'applicant_created' }),
      expect.objectContaining({
        status: 'approved',
        provider_status: 'completed/GREEN',
        type: 'applicantReviewed',
        outcome: 'applied',
      }),
    ]);
    expect(
      fake.requests.some(
        (q) => q.method === 'GET' && q.path === `/resources/applicants/${a.provider_id}/one` && !q.rejected,
      ),
    ).toBe(true);

    const gates = await gatesEvents(a.customer_id);
    expect(gates).toHaveLength(1);
    expect(gates[0]).toMatchObject({
      customer_id: a.customer_id,
      trigger: 'kyc_approved',
      all_passed: true,
      status: 'approved',
      previous_status: 'pending',
      gates: { identity: 'pass', document: 'pass', country: 'pass', age: 'pass', screening: 'pass' },
    });
    expect((await statusEvents(a.customer_id)).map((e) => e.status)).toEqual(['pending', 'approved']);
    await eventually('events on the bus', () =>
      published.some(
        (e) =>
          e.subject === 'evt.compliance.gates.reevaluated' &&
          (e.data as GatesReevaluatedEvent).customer_id === a.customer_id,
      ),
    );
  });

  it('maps RED+RETRY to resubmission_requested and RED+FINAL with an AML label to rejected with screening failed', async () => {
    const retry = await reviewedApplicant(passport, 'RED', 'RETRY', ['BAD_PROOF_OF_IDENTITY']);
    expect((await post(fake.webhookFor(retry.provider_id))).status).toBe(200);
    const r1 = await settled(retry.customer_id, 'resubmission_requested');
    expect(r1.reject_labels).toEqual(['BAD_PROOF_OF_IDENTITY']);
    expect(r1.gates).toMatchObject({ identity: 'fail', screening: 'pass', all_passed: false });
    expect(await gatesEvents(retry.customer_id)).toHaveLength(0);

    const aml = await reviewedApplicant(passport, 'RED', 'FINAL', ['SANCTIONS']);
    expect((await post(fake.webhookFor(aml.provider_id))).status).toBe(200);
    const r2 = await settled(aml.customer_id, 'rejected');
    expect(r2.gates).toMatchObject({ identity: 'fail', screening: 'fail', all_passed: false });
    expect(r2.history.at(-1)).toMatchObject({ provider_status: 'completed/RED/FINAL' });
  });

  it('accepts each digest algorithm SumSub uses', async () => {
    for (const alg of ['HMAC_SHA1_HEX', 'HMAC_SHA256_HEX', 'HMAC_SHA512_HEX'] as const) {
      const a = await createApplicant();
      const res = await post(fake.webhookFor(a.provider_id, 'applicantPending', alg));
      expect(res.status).toBe(200);
      await eventually(`history via ${alg}`, async () =>
        (await record(a.customer_id)).history.find((h) => h.type === 'applicantPending' && h.outcome),
      );
    }
  });

  it('records the same webhook sent 20 times concurrently once, and announces it once', async () => {
    const a = await reviewedApplicant(passport, 'GREEN');
    const hook = fake.webhookFor(a.provider_id);
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(hook)));
    expect(answers.map((x) => x.status)).toEqual(Array(20).fill(200));
    await settled(a.customer_id, 'approved');
    const rows = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM kyc.kyc_events WHERE provider_id = $1 AND source = 'webhook'`,
      [a.provider_id],
    );
    expect(rows.rows[0].n).toBe(1);
    expect(await gatesEvents(a.customer_id)).toHaveLength(1);
    expect((await statusEvents(a.customer_id)).map((e) => e.status)).toEqual(['pending', 'approved']);
  });

  it('keeps an event older than the latest applied in history only, and applies a later reversal', async () => {
    const a = await reviewedApplicant(passport, 'GREEN');
    const t = Date.now();
    expect((await post(reviewed(a.provider_id, a.customer_id, new Date(t), { reviewAnswer: 'GREEN' }))).status).toBe(
      200,
    );
    await settled(a.customer_id, 'approved');
    expect(
      (
        await post(
          reviewed(a.provider_id, a.customer_id, new Date(t - 60_000), {
            reviewAnswer: 'RED',
            reviewRejectType: 'FINAL',
            rejectLabels: ['FORGERY'],
          }),
        )
      ).status,
    ).toBe(200);
    const stale = await eventually('the stale event processed', async () => {
      const r = await record(a.customer_id);
      return r.history.length === 3 && r.history.every((h) => h.outcome) ? r : null;
    });
    expect(stale.status).toBe('approved');
    expect(stale.history.map((h) => [h.status, h.outcome])).toEqual([
      ['pending', 'applied'],
      ['approved', 'applied'],
      ['rejected', 'stale'],
    ]);
    expect(await gatesEvents(a.customer_id)).toHaveLength(1);

    // the reversal: a newer rejection of an approved customer moves the status and re-evaluates the gates
    fake.completeReview(a.provider_id, 'RED', 'FINAL', ['PEP']);
    expect(
      (
        await post(
          reviewed(a.provider_id, a.customer_id, new Date(t + 60_000), {
            reviewAnswer: 'RED',
            reviewRejectType: 'FINAL',
            rejectLabels: ['PEP'],
          }),
        )
      ).status,
    ).toBe(200);
    const reversed = await settled(a.customer_id, 'rejected');
    expect(reversed.gates).toMatchObject({ identity: 'fail', screening: 'fail', all_passed: false });
    const gates = await gatesEvents(a.customer_id);
    expect(gates.map((g) => [g.trigger, g.all_passed])).toEqual([
      ['kyc_approved', true],
      ['kyc_status_changed', false],
    ]);
    expect((await statusEvents(a.customer_id)).map((e) => e.status)).toEqual(['pending', 'approved', 'rejected']);
  });

  it('refuses an internal decision more than 5 minutes ahead with 400 naming occurred_at, so a later SumSub SANCTIONS rejection applies', async () => {
    const a = await reviewedApplicant(passport, 'GREEN');
    expect((await post(reviewed(a.provider_id, a.customer_id, new Date(), { reviewAnswer: 'GREEN' }))).status).toBe(
      200,
    );
    await settled(a.customer_id, 'approved');
    const before = await counts();
    const future = await p.api('/webhooks/kyc', {
      method: 'POST',
      json: {
        customer_id: a.customer_id,
        provider: 'manual',
        status: 'approved',
        occurred_at: '9999-12-31T23:59:59Z',
        event_id: 'far-future',
      },
    });
    expect(future.status).toBe(400);
    expect((await json<Problem>(future)).errors?.map((e) => e.field)).toEqual(['occurred_at']);
    expect(await counts()).toEqual(before);

    fake.completeReview(a.provider_id, 'RED', 'FINAL', ['SANCTIONS']);
    const at = new Date(Date.now() + 1000);
    expect(
      (
        await post(
          reviewed(a.provider_id, a.customer_id, at, {
            reviewAnswer: 'RED',
            reviewRejectType: 'FINAL',
            rejectLabels: ['SANCTIONS'],
          }),
        )
      ).status,
    ).toBe(200);
    const r = await settled(a.customer_id, 'rejected');
    expect(r.gates).toMatchObject({ screening: 'fail', all_passed: false });
  });

  it('clamps a SumSub time far ahead to receipt + 5 minutes: a later provider decision still applies after it', async () => {
    const a = await reviewedApplicant(passport, 'GREEN');
    const receivedFrom = Date.now();
    expect(
      (await post(reviewed(a.provider_id, a.customer_id, new Date('9999-12-31T23:59:59Z'), { reviewAnswer: 'GREEN' })))
        .status,
    ).toBe(200);
    const approved = await settled(a.customer_id, 'approved');
    const claimed = new Date(approved.history[1].at).getTime();
    expect(claimed).toBeLessThanOrEqual(Date.now() + 5 * 60_000);
    expect(claimed).toBeGreaterThanOrEqual(receivedFrom);

    fake.completeReview(a.provider_id, 'RED', 'FINAL', ['SANCTIONS']);
    const later = new Date(Date.now() + 6 * 60_000);
    expect(
      (
        await post(
          reviewed(a.provider_id, a.customer_id, later, {
            reviewAnswer: 'RED',
            reviewRejectType: 'FINAL',
            rejectLabels: ['SANCTIONS'],
          }),
        )
      ).status,
    ).toBe(200);
    const r = await eventually('the rejection processed', async () => {
      const x = await record(a.customer_id);
      return x.history.length === 3 && x.history.every((h) => h.outcome) ? x : null;
    });
    expect(r.history.map((h) => [h.status, h.outcome])).toEqual([
      ['pending', 'applied'],
      ['approved', 'applied'],
      ['rejected', 'applied'],
    ]);
    expect(r.status).toBe('rejected');
    expect(r.gates).toMatchObject({ screening: 'fail', all_passed: false });
  });

  it("de-duplicates the internal format's event_id per customer: the same id for another customer is another decision", async () => {
    const [c1, c2] = [randomUUID(), randomUUID()];
    const send = async (customerId: string, status: string) =>
      json<{ duplicate: boolean; status: string }>(
        await p.api('/webhooks/kyc', {
          method: 'POST',
          json: { customer_id: customerId, provider: 'manual', status, event_id: 'crm-evt-1' },
        }),
      );
    expect(await send(c1, 'approved')).toMatchObject({ duplicate: false, status: 'approved' });
    expect(await send(c2, 'rejected')).toMatchObject({ duplicate: false, status: 'rejected' });
    expect(await send(c1, 'rejected')).toMatchObject({ duplicate: true, status: 'approved' });
    expect((await record(c2)).status).toBe('rejected');
    expect((await record(c1)).history).toHaveLength(1);
  });

  it('refuses a bad digest, an unknown algorithm, a missing header or one changed byte with 401, storing and publishing nothing', async () => {
    const a = await reviewedApplicant(passport, 'GREEN');
    const good = fake.webhookFor(a.provider_id);
    const flipped = Buffer.from(good.body);
    flipped[flipped.indexOf('GREEN')] = 'g'.charCodeAt(0);
    const { 'x-payload-digest': _omit, ...noDigest } = good.headers;
    const before = await counts();
    const attempts: Hook[] = [
      { body: good.body, headers: { ...good.headers, 'x-payload-digest': 'ab'.repeat(32) } },
      { body: good.body, headers: { ...good.headers, 'x-payload-digest-alg': 'HMAC_MD5_HEX' } },
      { body: good.body, headers: { ...good.headers, 'x-payload-digest-alg': 'HMAC_SHA512_HEX' } },
      // inherited property names are no algorithm: 401, not a 500
      { body: good.body, headers: { ...good.headers, 'x-payload-digest-alg': 'constructor' } },
      { body: good.body, headers: { ...good.headers, 'x-payload-digest-alg': 'toString' } },
      { body: good.body, headers: noDigest },
      { body: flipped, headers: good.headers },
    ];
    for (const hook of attempts) {
      const res = await post(hook);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      expect(JSON.stringify(await res.json())).not.toContain(CREDS.webhook_secret);
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(await counts()).toEqual(before);
    expect((await record(a.customer_id)).status).toBe('pending');
    expect(p.logs.lines.some((l) => l.includes(CREDS.webhook_secret))).toBe(false);
  });

  describe('a gate fails on its condition, end to end (every rule: gates.spec.ts)', () => {
    const approvedWith = async (info: Parameters<SumsubFake['setApplicantInfo']>[1]) => {
      const a = await reviewedApplicant(info, 'GREEN');
      expect((await post(fake.webhookFor(a.provider_id))).status).toBe(200);
      const r = await settled(a.customer_id, 'approved');
      expect(r.gates.identity).toBe('pass');
      expect(r.gates.all_passed).toBe(false);
      const [event] = await gatesEvents(a.customer_id);
      expect(event).toMatchObject({ all_passed: false, gates: { identity: 'pass' } });
      return r;
    };

    it('country: a document from a restricted country', async () => {
      const r = await approvedWith({ idDocs: [{ idDocType: 'PASSPORT', country: 'PRK' }], dob: '1990-01-01' });
      expect(r.doc_country).toBe('KP');
      expect(r.gates).toMatchObject({ country: 'fail', document: 'pass', age: 'pass', screening: 'pass' });
    });

    it('document: a document type that is not accepted', async () => {
      const r = await approvedWith({ idDocs: [{ idDocType: 'VISA', country: 'DEU' }], dob: '1990-01-01' });
      expect(r.doc_type).toBe('other');
      expect(r.gates).toMatchObject({ document: 'fail', country: 'pass', age: 'pass' });
    });

    it('screening: a sanctions label, through the internal format', async () => {
      const customerId = randomUUID();
      const res = await p.api('/webhooks/kyc', {
        method: 'POST',
        json: {
          customer_id: customerId,
          provider: 'manual',
          provider_id: 'case-7',
          status: 'approved',
          doc_type: 'passport',
          doc_country: 'de',
          birth_date: '1980-02-02',
          reject_labels: ['SANCTIONS'],
          raw_result: { note: 'approved with a sanctions hit' },
        },
      });
      expect(res.status).toBe(200);
      const r = await record(customerId);
      expect(r).toMatchObject({ status: 'approved', doc_country: 'DE', provider: 'manual' });
      expect(r.gates).toEqual({
        identity: 'pass',
        document: 'pass',
        country: 'pass',
        age: 'pass',
        screening: 'fail',
        all_passed: false,
      });
    });
  });

  it('applies the internal format through the same mapping and gates, de-duplicating a repeated body', async () => {
    const customerId = randomUUID();
    const body = {
      customer_id: customerId,
      provider: 'manual',
      provider_id: 'case-9',
      status: 'approved',
      doc_type: 'id_card',
      doc_country: 'NL',
      birth_date: '1970-07-07',
      raw_result: { reviewer: 'ops' },
    };
    const first = await p.api('/webhooks/kyc', { method: 'POST', json: body });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({
      received: true,
      duplicate: false,
      customer_id: customerId,
      status: 'approved',
    });
    const again = await p.api('/webhooks/kyc', { method: 'POST', json: body });
    expect(await again.json()).toMatchObject({ duplicate: true, status: 'approved' });
    const r = await record(customerId);
    expect(r.gates.all_passed).toBe(true);
    expect(r.history).toHaveLength(1);
    expect(await gatesEvents(customerId)).toEqual([
      expect.objectContaining({ trigger: 'kyc_approved', all_passed: true }),
    ]);

    const resubmit = await p.api('/webhooks/kyc', {
      method: 'POST',
      json: { ...body, status: 'resubmission_requested' },
    });
    expect(resubmit.status).toBe(200);
    expect((await gatesEvents(customerId)).map((g) => g.trigger)).toEqual(['kyc_approved', 'kyc_status_changed']);
    expect((await p.api('/webhooks/kyc', { method: 'POST', json: body, auth: false })).status).toBe(401);
  });

  it('answers the webhook before a slow applicant fetch completes, then applies the decision', async () => {
    const a = await reviewedApplicant(passport, 'GREEN');
    fake.slowDown(6000);
    try {
      const res = await post(fake.webhookFor(a.provider_id));
      expect(res.status).toBe(200);
      // the fetch takes 6 s, so the decision cannot have been applied when SumSub got its answer
      expect((await record(a.customer_id)).status).toBe('pending');
      await settled(a.customer_id, 'approved');
    } finally {
      fake.slowDown(0);
    }
    expect((await record(a.customer_id)).doc_type).toBe('passport');
  });
});
