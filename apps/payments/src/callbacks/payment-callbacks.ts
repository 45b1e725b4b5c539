import { Injectable } from '@nestjs/common';
import {
  DomainError, ErrorCode, eventSubjects, type InboundWebhook, type PaymentApprovedEvent, type WebhookReply,
} from '@app/contracts';
import { ConnectorError, ConnectorRegistry, ProviderConfigCache, type ConnectorConfig, type PaymentNotification, type PaymentPort } from '@app/connectors';
import { OutboxWriter } from '@app/messaging';
import { PaymentsErrors } from '../shared/payments.exception';
import { PaymentsMetrics } from '../shared/payments.metrics';
import { SessionsRepository } from '../sessions/sessions.repository';
import type { CashierSessionEntity } from '../sessions/sessions.entities';
import { movesForward } from './status-rules';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Outcome = 'applied' | 'unchanged' | 'duplicate';

/**
 * `POST /webhooks/payments/:provider`: verify with the provider's connector, check against the stored
 * order, record once (the provider's event key), move the session's status forward only, and announce
 * an approval through the outbox, all in one transaction. The provider gets its acknowledgement only
 * after that commit; a refused notification stores nothing.
 */
@Injectable()
export class PaymentCallbacks {
  constructor(
    private readonly registry: ConnectorRegistry,
    private readonly configs: ProviderConfigCache,
    private readonly sessions: SessionsRepository,
    private readonly outbox: OutboxWriter,
    private readonly metrics: PaymentsMetrics,
  ) {}

  async execute(inbound: InboundWebhook): Promise<WebhookReply> {
    const gateway = inbound.provider;
    const port = this.registry.get(gateway)?.payment;
    if (!port || inbound.method !== 'POST') throw PaymentsErrors.unknownProvider(gateway);
    const cfg = await this.configs.get(gateway);
    const config: ConnectorConfig = { credentials: cfg.credentials, settings: cfg.settings };
    try {
      const note = this.refuseOnBadSignature(gateway, () => port.readNotification(config, { headers: inbound.headers, body: Buffer.from(inbound.body_base64, 'base64') }));
      const outcome = await this.apply(gateway, port, note);
      this.metrics.notifications.inc({ gateway, outcome });
      return port.acknowledge(config);
    } catch (err) {
      const outcome = err instanceof DomainError && err.code === ErrorCode.NotFound ? 'unknown_order' : 'rejected';
      this.metrics.notifications.inc({ gateway, outcome });
      throw err;
    }
  }

  private apply(gateway: string, port: PaymentPort, note: PaymentNotification): Promise<Outcome> {
    if (!UUID.test(note.orderId)) throw this.unknownOrder(gateway, port);
    return this.sessions.transaction(async (m) => {
      const session = await this.sessions.lockSession(m, note.orderId);
      if (!session) throw this.unknownOrder(gateway, port);
      if (session.gateway !== gateway) throw PaymentsErrors.refusedNotification(gateway, 'the order was opened at another gateway');
      this.refuseOnBadSignature(gateway, () => port.matchOrder(note, {
        amount: session.amount, currency: session.currency.trim(), sessionSecretSha256: session.sessionSecretSha256,
      }));
      const moves = note.status !== null && movesForward(session.status, note.status);
      const fresh = await this.sessions.recordNotification(m, {
        gateway, eventKey: note.eventKey, sessionId: session.id, providerStatus: note.providerStatus, status: note.status, applied: moves,
      });
      if (!fresh) return 'duplicate';
      if (note.providerTransactionId) {
        await this.sessions.upsertTransaction(m, {
          gateway, providerTransactionId: note.providerTransactionId, sessionId: session.id, status: note.status,
          providerStatus: note.providerStatus, amount: note.amount, currency: note.currency,
        });
      }
      if (!moves || note.status === null) return 'unchanged';
      await this.sessions.moveStatus(m, session, note.status, note.providerStatus, note.flag ?? null, note.providerTransactionId);
      if (note.status === 'approved') await this.outbox.add(m, this.approvedSubject(session), this.approvedEvent(session, note));
      return 'applied';
    });
  }

  /** An unsigned notification naming no order of ours proves nothing about its sender: 401, not 404. */
  private unknownOrder(gateway: string, port: PaymentPort): DomainError {
    return port.unsignedNotifications ? PaymentsErrors.refusedNotification(gateway, 'no order of ours matches it') : PaymentsErrors.unknownOrder(gateway);
  }

  private approvedSubject(s: CashierSessionEntity) {
    return s.direction === 'deposit' ? eventSubjects.paymentsDepositApproved : eventSubjects.paymentsWithdrawalApproved;
  }

  private approvedEvent(s: CashierSessionEntity, note: PaymentNotification): PaymentApprovedEvent {
    return {
      order_id: s.id, direction: s.direction, customer_id: s.customerId, country: s.country.trim(),
      amount: note.amount ?? s.amount, currency: note.currency ?? s.currency.trim(), gateway: s.gateway,
      provider_transaction_id: note.providerTransactionId, approved_at: new Date().toISOString(),
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
