import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';

import {
  ConnectorError,
  ConnectorRegistry,
  ProviderConfigCache,
  type ConnectorConfig,
  type PaymentNotification,
  type PaymentPort,
} from '@app/connectors';
import {
  DomainError,
  ErrorCode,
  eventSubjects,
  type InboundWebhook,
  type PaymentApprovedEvent,
  type WebhookReply,
} from '@app/contracts';
import { OutboxWriter } from '@app/messaging';
import { LOGGER } from '@app/runtime';

import { PaymentsErrors } from '../payments.errors';
import { PaymentsMetrics } from '../payments.metrics';
import type { CashierSessionEntity } from '../sessions/sessions.entities';
import { SessionsRepository } from '../sessions/sessions.repository';
import { parkedPayload } from './parked-payload';
import { movesForward } from './status-rules';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Outcome = { outcome: 'applied' | 'unchanged' | 'stale' | 'duplicate' } | { outcome: 'parked'; reason: string };

/**
 * `POST /webhooks/payments/:provider`: verify with the provider's connector, check against the stored
 * order, record once per order and provider event key, move the session's status forward only, and
 * announce an approval through the outbox, all in one transaction. The provider gets its
 * acknowledgement only after that commit; a refused notification stores nothing.
 *
 * A verified notification that must not be applied is parked (stored for an operator, logged,
 * counted) and still acknowledged, so the provider stops resending: the same event key saying
 * something else (a signed Praxis notification with an edited, unsigned status), or an amount or
 * currency the stored order disagrees with. One signed earlier than the last applied to its order is
 * recorded but moves nothing.
 */
@Injectable()
export class PaymentCallbacks {
  constructor(
    private readonly registry: ConnectorRegistry,
    private readonly configs: ProviderConfigCache,
    private readonly sessions: SessionsRepository,
    private readonly outbox: OutboxWriter,
    private readonly metrics: PaymentsMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async execute(inbound: InboundWebhook): Promise<WebhookReply> {
    const gateway = inbound.provider;
    const port = this.registry.get(gateway)?.payment;
    if (!port || inbound.method !== 'POST') throw PaymentsErrors.unknownProvider(gateway);
    const cfg = await this.configs.get(gateway);
    const config: ConnectorConfig = { credentials: cfg.credentials, settings: cfg.settings };
    try {
      const body = Buffer.from(inbound.body_base64, 'base64');
      const note = this.refuseOnBadSignature(gateway, () =>
        port.readNotification(config, { headers: inbound.headers, body }),
      );
      const result = await this.apply(gateway, port, note, body);
      this.metrics.notifications.inc({ gateway, outcome: result.outcome });
      if (result.outcome === 'parked') {
        this.metrics.parked.inc({ provider: gateway, reason: result.reason });
        this.logger.warn(
          { gateway, order_id: note.orderId, reason: result.reason, provider_status: note.providerStatus },
          'payment notification parked for an operator',
        );
      }
      return port.acknowledge(config);
    } catch (err) {
      const outcome = err instanceof DomainError && err.code === ErrorCode.NotFound ? 'unknown_order' : 'rejected';
      this.metrics.notifications.inc({ gateway, outcome });
      throw err;
    }
  }

  private apply(gateway: string, port: PaymentPort, note: PaymentNotification, body: Buffer): Promise<Outcome> {
    if (!UUID.test(note.orderId)) throw this.unknownOrder(gateway, port);
    return this.sessions.transaction(async (m): Promise<Outcome> => {
      const session = await this.sessions.lockSession(m, note.orderId);
      if (!session) throw this.unknownOrder(gateway, port);
      if (session.gateway !== gateway)
        throw PaymentsErrors.refusedNotification(gateway, 'the order was opened at another gateway');
      const mismatch = this.refuseOnBadSignature(gateway, () =>
        port.matchOrder(note, {
          amount: session.amount,
          currency: session.currency.trim(),
          sessionSecretSha256: session.sessionSecretSha256,
        }),
      );
      const providerTime = note.occurredAt ?? null;
      const stale =
        providerTime !== null &&
        session.lastAppliedProviderTime !== null &&
        providerTime < Number(session.lastAppliedProviderTime);
      const moves = !mismatch && !stale && note.status !== null && movesForward(session.status, note.status);
      const recorded = await this.sessions.recordNotification(m, {
        gateway,
        eventKey: note.eventKey,
        sessionId: session.id,
        providerStatus: note.providerStatus,
        status: note.status,
        applied: moves,
        fingerprint: note.fingerprint ?? null,
        providerTime,
      });
      if (recorded === 'repeat') return { outcome: 'duplicate' };
      const reason = recorded === 'edited' ? 'signature_reused' : mismatch;
      if (reason) {
        await this.sessions.park(m, {
          gateway,
          sessionId: session.id,
          eventKey: note.eventKey,
          reason,
          providerStatus: note.providerStatus,
          payload: parkedPayload(body),
        });
        return { outcome: 'parked', reason };
      }
      if (stale) return { outcome: 'stale' };
      if (note.providerTransactionId) {
        await this.sessions.upsertTransaction(m, {
          gateway,
          providerTransactionId: note.providerTransactionId,
          sessionId: session.id,
          status: note.status,
          providerStatus: note.providerStatus,
          amount: note.amount,
          currency: note.currency,
        });
      }
      if (!moves || note.status === null) return { outcome: 'unchanged' };
      await this.sessions.moveStatus(
        m,
        session,
        note.status,
        note.providerStatus,
        note.flag ?? null,
        note.providerTransactionId,
        providerTime,
      );
      if (note.status === 'approved')
        await this.outbox.add(m, this.approvedSubject(session), this.approvedEvent(session, note));
      return { outcome: 'applied' };
    });
  }

  /** An unsigned notification naming no order of ours proves nothing about its sender: 401, not 404. */
  private unknownOrder(gateway: string, port: PaymentPort): DomainError {
    return port.unsignedNotifications
      ? PaymentsErrors.refusedNotification(gateway, 'no order of ours matches it')
      : PaymentsErrors.unknownOrder(gateway);
  }

  private approvedSubject(s: CashierSessionEntity) {
    return s.direction === 'deposit' ? eventSubjects.paymentsDepositApproved : eventSubjects.paymentsWithdrawalApproved;
  }

  private approvedEvent(s: CashierSessionEntity, note: PaymentNotification): PaymentApprovedEvent {
    return {
      order_id: s.id,
      direction: s.direction,
      customer_id: s.customerId,
      country: s.country.trim(),
      amount: note.amount ?? s.amount,
      currency: note.currency ?? s.currency.trim(),
      gateway: s.gateway,
      provider_transaction_id: note.providerTransactionId,
      approved_at: new Date().toISOString(),
    };
  }

  private refuseOnBadSignature<T>(gateway: string, check: () => T): T {
    try {
      return check();
    } catch (err) {
      if (err instanceof ConnectorError && (err.code === 'bad_signature' || err.code === 'invalid_config')) {
        throw PaymentsErrors.refusedNotification(gateway, err.message);
      }
      throw err;
    }
  }
}
