import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';

import {
  ConnectorError,
  ConnectorRegistry,
  ProviderConfigCache,
  toDomainError,
  type Connector,
  type ConnectorConfig,
  type SendOptions,
  type SendResult,
} from '@app/connectors';
import {
  catalogSubjects,
  DomainError,
  type CommsChannel,
  type CommsStatus,
  type ProviderCategory,
  type ProviderConfigView,
} from '@app/contracts';
import { BusClient } from '@app/messaging';
import { LOGGER, SERVICE_CONFIG } from '@app/runtime';

import type { CommsConfig } from '../comms.config';
import { CommsErrors } from '../comms.errors';
import { MessagesRepository } from '../log/messages.repository';
import { initialStatus } from '../log/status.policy';
import { StatusRecorder } from '../log/status.recorder';

/** One outbound message or call, whatever the channel. */
export interface Dispatch {
  channel: CommsChannel;
  category: ProviderCategory;
  /** Normalised address (`normaliseAddress` of @app/connectors): the suppression list is keyed by it. */
  to: string;
  customerId?: string;
  eventType?: string;
  provider?: string;
  /** Whether this connector has the port this channel needs. */
  supports(connector: Connector): boolean;
  /** Calls the connector's port, or returns null when the connector has none for this channel. */
  invoke(
    connector: Connector,
    config: ConnectorConfig,
    messageId: string,
    opts: SendOptions,
  ): Promise<SendResult> | null;
}

export interface Dispatched {
  id: string;
  status: CommsStatus;
  provider: string;
  failoverFrom?: string;
}

/**
 * Sends through the category's default provider (or the named active one). A retryable failure (5xx,
 * timeout, network, 429) moves on to another active provider of the category; a refusal is final.
 * Every attempt is recorded with the message.
 */
@Injectable()
export class DispatchService {
  constructor(
    private readonly repo: MessagesRepository,
    private readonly recorder: StatusRecorder,
    private readonly configs: ProviderConfigCache,
    private readonly registry: ConnectorRegistry,
    private readonly bus: BusClient,
    @Inject(SERVICE_CONFIG) private readonly config: CommsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async dispatch(d: Dispatch): Promise<Dispatched> {
    const suppressed = await this.repo.suppressionOf(d.channel, d.to);
    if (suppressed) throw CommsErrors.suppressed(d.channel, suppressed);
    let provider: ProviderConfigView | null = await this.configs.resolve(d.category, d.provider);
    const tried: string[] = [];
    if (!this.canSend(d, provider.key)) {
      // The catalog knows a provider this build cannot send through (during a rolling deploy the catalog
      // may be a release ahead): decided before anything is written, so no message is left queued.
      // A provider named in the request is not swapped for another.
      const unusable = provider.key;
      provider = d.provider ? null : await this.next(d, [unusable]);
      if (!provider) throw CommsErrors.noPort(unusable, d.channel);
      this.logger.warn(
        { provider: unusable, channel: d.channel, instead: provider.key },
        'the default provider has no port for this channel here; failing over',
      );
      tried.push(unusable);
    }
    const id = randomUUID();
    await this.repo.createMessage({
      id,
      channel: d.channel,
      provider: provider.key,
      status: initialStatus(d.channel),
      to_address: d.to,
      customer_id: d.customerId ?? null,
      event_type: d.eventType ?? null,
    });
    let failure: ConnectorError = new ConnectorError('provider_error', 'no attempt made');
    while (provider) {
      tried.push(provider.key);
      try {
        const result = await this.attempt(d, provider, id);
        await this.accepted(id, provider.key, result);
        return {
          id,
          status: result.status,
          provider: provider.key,
          ...(tried.length > 1 ? { failoverFrom: tried[0] } : {}),
        };
      } catch (err) {
        if (err instanceof DomainError) throw err;
        failure =
          err instanceof ConnectorError ? err : new ConnectorError('provider_error', 'unexpected connector failure');
        if (!(err instanceof ConnectorError))
          this.logger.error({ err, provider: provider.key }, 'connector threw a non-ConnectorError');
        await this.repo.recordAttempt(null, {
          message_id: id,
          provider: provider.key,
          outcome: failure.retryable ? 'failed' : 'refused',
          error: failure.message,
        });
        this.logger.warn(
          { message_id: id, provider: provider.key, code: failure.code, status: failure.options.httpStatus },
          `${d.channel} attempt failed`,
        );
        provider = failure.retryable ? await this.next(d, tried) : null;
      }
    }
    await this.failed(id, failure);
    throw toDomainError(tried.at(-1)!, failure);
  }

  private attempt(d: Dispatch, provider: ProviderConfigView, id: string): Promise<SendResult> {
    const connector = this.registry.get(provider.key);
    const call =
      connector &&
      d.invoke(connector, { credentials: provider.credentials, settings: provider.settings }, id, {
        timeoutMs: this.config.COMMS_PROVIDER_TIMEOUT_MS,
        statusCallbackUrl: `${this.config.PUBLIC_BASE_URL.replace(/\/$/, '')}/webhooks/comms/${provider.key}?message_id=${id}`,
      });
    if (!call) throw CommsErrors.noPort(provider.key, d.channel);
    return call;
  }

  private canSend(d: Dispatch, key: string): boolean {
    const connector = this.registry.get(key);
    return !!connector && d.supports(connector);
  }

  /** Another active provider of the category, not tried yet, that this build can send the channel through; or null. */
  private async next(d: Dispatch, tried: string[]): Promise<ProviderConfigView | null> {
    const { categories } = await this.bus.request(catalogSubjects.listCategories, {});
    for (const key of categories.find((c) => c.category === d.category)?.active_providers ?? []) {
      if (tried.includes(key) || !this.canSend(d, key)) continue;
      const cfg = await this.configs.resolve(d.category, key).catch(() => null);
      if (cfg) return cfg;
    }
    return null;
  }

  private async accepted(id: string, provider: string, r: SendResult): Promise<void> {
    await this.repo.transaction(async (m) => {
      const msg = await this.repo.lockMessage(m, id);
      await this.repo.recordAttempt(m, {
        message_id: id,
        provider,
        outcome: 'sent',
        error: null,
        provider_message_id: r.providerMessageId,
      });
      await this.repo.markAccepted(m, id, provider, r.providerMessageId, r.correlationKey ?? null);
      // a message the provider split: every part, so a callback about any of them finds the message
      if (r.parts?.length)
        await this.repo.insertParts(
          m,
          r.parts.map((p, part) => ({
            message_id: id,
            provider,
            provider_message_id: p.providerMessageId,
            part,
            status: p.status,
            provider_status: p.providerStatus ?? null,
          })),
        );
      Object.assign(msg, {
        provider,
        provider_message_id: r.providerMessageId,
        correlation_key: r.correlationKey ?? null,
      });
      const at = new Date();
      // an acceptance that confirms the status the message already has (queued, initiated) is applied too
      const applied = (await this.recorder.advance(m, msg, r.status, r.providerStatus, at)) || msg.status === r.status;
      await this.repo.insertEvents(m, [
        {
          message_id: id,
          provider,
          provider_event_id: null,
          status: r.status,
          provider_status: r.providerStatus,
          applied,
          details: null,
          at,
        },
      ]);
    });
  }

  private async failed(id: string, err: ConnectorError): Promise<void> {
    await this.repo.transaction(async (m) => {
      const msg = await this.repo.lockMessage(m, id);
      const at = new Date();
      const applied = await this.recorder.advance(m, msg, 'failed', err.code, at);
      await this.repo.insertEvents(m, [
        {
          message_id: id,
          provider: msg.provider,
          provider_event_id: null,
          status: 'failed',
          provider_status: err.code,
          applied,
          details: { reason: err.message.slice(0, 500) },
          at,
        },
      ]);
    });
  }
}
