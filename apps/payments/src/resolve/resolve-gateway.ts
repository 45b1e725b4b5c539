import { randomBytes, randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import {
  canonicalAmount,
  ConnectorError,
  sessionSecretDigest,
  toDomainError,
  type CashierAnswer,
  type CashierRequest,
} from '@app/connectors';
import { ResolveGatewayRequest, type ResolutionView } from '@app/contracts';
import { SERVICE_CONFIG, validRequest } from '@app/runtime';

import type { PaymentsConfig } from '../payments.config';
import { PaymentsMetrics } from '../payments.metrics';
import { SessionsRepository } from '../sessions/sessions.repository';
import { GatewayChooser, type UsableGateway } from './gateway-chooser';

/**
 * `GET /payments/gateway`: choose the gateway (route, else default), open a cashier session there, and
 * on a provider failure (5xx, timeout, network) try the direction's default gateway once. A refusal
 * (4xx) is final. The session is stored with the gateway that served it.
 */
@Injectable()
export class ResolveGateway {
  constructor(
    private readonly chooser: GatewayChooser,
    private readonly sessions: SessionsRepository,
    private readonly metrics: PaymentsMetrics,
    @Inject(SERVICE_CONFIG) private readonly config: PaymentsConfig,
  ) {}

  /** `raw` is the query as the gateway got it: the DTO and the amount's minor-unit rule are checked together. */
  async execute(raw: unknown): Promise<ResolutionView> {
    const currencyOf = (r: ResolveGatewayRequest) => r.currency ?? this.config.PAYMENTS_DEFAULT_CURRENCY;
    const req = validRequest(ResolveGatewayRequest, raw, (r, bad) =>
      r.amount === undefined ||
      bad.has('amount') ||
      bad.has('currency') ||
      canonicalAmount(r.amount, currencyOf(r)) !== null
        ? []
        : [{ field: 'amount', message: `${currencyOf(r)} amounts have at most its minor unit digits` }],
    );
    const currency = currencyOf(req);
    // valid here: the check above refused an amount with more digits than the currency's minor unit
    const amount = req.amount === undefined ? undefined : (canonicalAmount(req.amount, currency) ?? undefined);

    let choice;
    try {
      choice = await this.chooser.choose(req.country, req.direction);
    } catch (err) {
      this.metrics.resolutions.inc({ gateway: 'none', source: 'none', outcome: 'unavailable' });
      throw err;
    }
    const orderId = randomUUID();
    const sessionSecret = randomBytes(24).toString('base64url');
    const cashier: Omit<CashierRequest, 'notificationUrl'> = {
      orderId,
      direction: req.direction,
      country: req.country,
      customerId: req.customer_id,
      amount,
      currency,
      email: req.email,
      firstName: req.first_name,
      lastName: req.last_name,
      sessionSecret,
      timeoutMs: this.config.PAYMENTS_PROVIDER_TIMEOUT_MS,
    };
    const count = (outcome: string) =>
      this.metrics.resolutions.inc({ gateway: choice.first.key, source: choice.source, outcome });

    let served = choice.first;
    let answer: CashierAnswer;
    try {
      answer = await this.open(choice.first, cashier);
    } catch (err) {
      const retryable = err instanceof ConnectorError && err.retryable;
      if (!retryable || !choice.fallback) {
        count(retryable ? 'failed' : 'refused');
        throw toDomainError(choice.first.key, err, { gateway: choice.first.key });
      }
      served = choice.fallback;
      try {
        answer = await this.open(served, cashier);
      } catch (second) {
        count(second instanceof ConnectorError && second.retryable ? 'failed' : 'refused');
        throw toDomainError(served.key, second, { gateway: served.key });
      }
    }
    const failoverFrom = served === choice.first ? undefined : choice.first.key;
    await this.sessions.create({
      id: orderId,
      gateway: served.key,
      direction: req.direction,
      country: req.country,
      customerId: req.customer_id ?? null,
      amount: amount ?? null,
      currency,
      source: choice.source,
      failoverFrom: failoverFrom ?? null,
      sessionSecretSha256: sessionSecretDigest(sessionSecret),
    });
    count(failoverFrom ? 'failover' : 'ok');
    return {
      gateway: served.key,
      type: answer.type,
      source: choice.source,
      country: req.country,
      direction: req.direction,
      order_id: orderId,
      ...(failoverFrom ? { failover_from: failoverFrom } : {}),
      ...(answer.type === 'embed'
        ? {
            script_url: answer.script_url,
            cashier_key: answer.cashier_key,
            ...(answer.cashier_token ? { cashier_token: answer.cashier_token } : {}),
          }
        : { redirect_url: answer.redirect_url }),
    };
  }

  private async open(gw: UsableGateway, req: Omit<CashierRequest, 'notificationUrl'>): Promise<CashierAnswer> {
    const notificationUrl = `${this.config.PUBLIC_BASE_URL.replace(/\/$/, '')}/webhooks/payments/${gw.key}`;
    try {
      const answer = await gw.port.openCashier(
        { credentials: gw.config.credentials, settings: gw.config.settings },
        { ...req, notificationUrl },
      );
      this.metrics.sessionAttempts.inc({ gateway: gw.key, direction: req.direction, outcome: 'ok' });
      return answer;
    } catch (err) {
      this.metrics.sessionAttempts.inc({
        gateway: gw.key,
        direction: req.direction,
        outcome: err instanceof ConnectorError ? err.code : 'error',
      });
      throw err;
    }
  }
}
