import { randomUUID } from 'node:crypto';

import pino from 'pino';
import type { EntityManager } from 'typeorm';

import {
  ConnectorError,
  ConnectorRegistry,
  type Connector,
  type PaymentNotification,
  type PaymentPort,
  type ProviderConfigCache,
} from '@app/connectors';
import { ErrorCode, eventSubjects, type PaymentStatus } from '@app/contracts';
import type { OutboxWriter } from '@app/messaging';
import { Metrics } from '@app/observability';

import { PaymentsMetrics } from '../payments.metrics';
import type { CashierSessionEntity } from '../sessions/sessions.entities';
import type {
  ParkedNotification,
  Recorded,
  RecordedNotification,
  SessionsRepository,
} from '../sessions/sessions.repository';
import { PaymentCallbacks } from './payment-callbacks';

/** Cashier sessions and the notifications seen, in memory, as SessionsRepository records them. */
class MemorySessions {
  readonly sessions = new Map<string, CashierSessionEntity>();
  readonly seen = new Map<string, string | null>();
  readonly parked: ParkedNotification[] = [];
  readonly history: { id: string; status: PaymentStatus }[] = [];
  transaction = <T>(work: (m: EntityManager) => Promise<T>) => work({} as EntityManager);
  lockSession = (_m: EntityManager, id: string) => Promise.resolve(this.sessions.get(id) ?? null);
  recordNotification = (_m: EntityManager, n: RecordedNotification): Promise<Recorded> => {
    const key = `${n.gateway}/${n.sessionId}/${n.eventKey}`;
    if (!this.seen.has(key)) {
      this.seen.set(key, n.fingerprint);
      return Promise.resolve('fresh');
    }
    const before = this.seen.get(key);
    return Promise.resolve(!before || !n.fingerprint || before === n.fingerprint ? 'repeat' : 'edited');
  };
  park = (_m: EntityManager, n: ParkedNotification) => {
    this.parked.push(n);
    return Promise.resolve();
  };
  upsertTransaction = () => Promise.resolve();
  moveStatus = (
    _m: EntityManager,
    s: CashierSessionEntity,
    to: PaymentStatus,
    _providerStatus: string,
    _flag: string | null,
    _tx: string | null,
    providerTime: number | null,
  ) => {
    s.status = to;
    if (providerTime !== null)
      s.lastAppliedProviderTime = String(Math.max(providerTime, Number(s.lastAppliedProviderTime ?? 0)));
    this.history.push({ id: s.id, status: to });
    return Promise.resolve();
  };
}

describe(PaymentCallbacks.name, () => {
  let sessions: MemorySessions;
  let outbox: { add: jest.Mock };
  let mismatch: string | undefined;
  let callbacks: PaymentCallbacks;
  let orderId: string;

  /** The fake port reads the notification from the body as JSON; `bad` in it fails the signature. */
  const port: PaymentPort = {
    openCashier: () => Promise.reject(new Error('not used')),
    readNotification: (_config, raw) => {
      const note = JSON.parse(raw.body.toString()) as PaymentNotification & { bad?: boolean };
      if (note.bad) throw new ConnectorError('bad_signature', 'signature does not verify');
      return note;
    },
    matchOrder: () => mismatch,
    acknowledge: () => ({ status: 200, content_type: 'text/plain', body: 'OK' }),
  };

  const post = (note: Partial<PaymentNotification> & { bad?: boolean }, provider = 'praxis') =>
    callbacks.execute({
      provider,
      method: 'POST',
      url: `https://hooks.example.com/webhooks/payments/${provider}`,
      headers: {},
      body_base64: Buffer.from(
        JSON.stringify({
          orderId,
          eventKey: `evt-${note.status}-${note.occurredAt ?? ''}`,
          status: 'approved',
          providerStatus: String(note.status ?? 'approved'),
          providerTransactionId: 'tx-1',
          amount: '100.00',
          currency: 'EUR',
          ...note,
        }),
      ).toString('base64'),
    });
  const status = () => sessions.sessions.get(orderId)!.status;

  beforeEach(() => {
    sessions = new MemorySessions();
    outbox = { add: jest.fn() };
    mismatch = undefined;
    orderId = randomUUID();
    sessions.sessions.set(orderId, {
      id: orderId,
      gateway: 'praxis',
      direction: 'deposit',
      country: 'DE',
      customerId: 'c-1',
      amount: '100.00',
      currency: 'EUR',
      status: 'pending',
      lastAppliedProviderTime: null,
    } as CashierSessionEntity);
    const configs = {
      get: (key: string) => Promise.resolve({ key, credentials: {}, settings: {} }),
    } as unknown as ProviderConfigCache;
    callbacks = new PaymentCallbacks(
      new ConnectorRegistry([{ manifest: { key: 'praxis' }, payment: port } as unknown as Connector]),
      configs,
      sessions as unknown as SessionsRepository,
      outbox as unknown as OutboxWriter,
      new PaymentsMetrics(new Metrics('payments', { defaultMetrics: false })),
      pino({ level: 'silent' }),
    );
  });

  it('applies an approval, announces it once and acknowledges', async () => {
    await expect(post({ status: 'approved' })).resolves.toEqual({
      status: 200,
      content_type: 'text/plain',
      body: 'OK',
    });
    expect(status()).toBe('approved');
    expect(outbox.add).toHaveBeenCalledTimes(1);
    expect(outbox.add).toHaveBeenCalledWith(
      expect.anything(),
      eventSubjects.paymentsDepositApproved,
      expect.objectContaining({ order_id: orderId, amount: '100.00', currency: 'EUR', gateway: 'praxis' }),
    );
  });

  it('does not move an approval back when a pending or a decline arrives after it', async () => {
    await post({ status: 'approved' });
    await post({ status: 'pending' });
    await post({ status: 'declined' });
    expect(status()).toBe('approved');
    expect(sessions.history.map((h) => h.status)).toEqual(['approved']);
  });

  it('applies an approval arriving after a decline (another card in the same session)', async () => {
    await post({ status: 'declined' });
    await post({ status: 'approved' });
    expect(status()).toBe('approved');
    expect(outbox.add).toHaveBeenCalledTimes(1);
  });

  it('takes a resend as a duplicate: a parked notification sent again is parked once', async () => {
    mismatch = 'currency_mismatch';
    await post({ status: 'approved', currency: 'USD' });
    await post({ status: 'approved', currency: 'USD' });
    expect(sessions.parked).toHaveLength(1);
    expect(status()).toBe('pending');
  });

  it('records but does not apply a notification signed earlier than the last applied one', async () => {
    await post({ status: 'declined', occurredAt: 2000 });
    await post({ status: 'approved', occurredAt: 1000 });
    expect(status()).toBe('declined');
    expect(outbox.add).not.toHaveBeenCalled();
    expect(sessions.seen.size).toBe(2);
  });

  it('applies a notification signed later than the last applied one', async () => {
    await post({ status: 'pending', occurredAt: 1000 });
    await post({ status: 'approved', occurredAt: 2000 });
    expect(status()).toBe('approved');
  });

  it('parks, without applying, a reused event key that now says something else', async () => {
    await post({ status: 'declined', eventKey: 'sig-1', fingerprint: 'f-declined' });
    await expect(post({ status: 'approved', eventKey: 'sig-1', fingerprint: 'f-approved' })).resolves.toMatchObject({
      status: 200,
    });
    expect(status()).toBe('declined');
    expect(sessions.parked).toEqual([expect.objectContaining({ reason: 'signature_reused', eventKey: 'sig-1' })]);
  });

  it('parks, without applying, a notification the stored order disagrees with', async () => {
    mismatch = 'amount_mismatch';
    await expect(post({ status: 'approved', amount: '1.00' })).resolves.toMatchObject({ status: 200 });
    expect(status()).toBe('pending');
    expect(outbox.add).not.toHaveBeenCalled();
    expect(sessions.parked).toEqual([expect.objectContaining({ reason: 'amount_mismatch', sessionId: orderId })]);
  });

  it('refuses a notification whose signature does not verify, storing nothing', async () => {
    await expect(post({ status: 'approved', bad: true })).rejects.toMatchObject({ code: ErrorCode.Unauthorized });
    expect(sessions.seen.size).toBe(0);
    expect(status()).toBe('pending');
  });

  it('answers 404 for an order we did not open, and 401 for an order opened at another gateway', async () => {
    await expect(post({ orderId: randomUUID() })).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await expect(post({ orderId: 'not-a-uuid' })).rejects.toMatchObject({ code: ErrorCode.NotFound });
    sessions.sessions.get(orderId)!.gateway = 'bridgerpay';
    await expect(post({ status: 'approved' })).rejects.toMatchObject({ code: ErrorCode.Unauthorized });
    expect(status()).toBe('pending');
  });

  it('has no endpoint for a provider without a payment port', async () => {
    await expect(post({}, 'sendgrid')).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });
});
