import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import {
  ConnectorRegistry,
  ProviderConfigCache,
  type CallbackResult,
  type Connector,
  type DeliveryEvent,
  type ParseCallback,
  type VoicePort,
} from '@app/connectors';
import type { CommsChannel, InboundWebhook, WebhookReply } from '@app/contracts';
import { SERVICE_CONFIG } from '@app/runtime';

import type { CommsConfig } from '../comms.config';
import { CommsErrors } from '../comms.errors';
import { MessagesRepository, type EventRow, type MessageRow } from '../log/messages.repository';
import { StatusRecorder } from '../log/status.recorder';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface CallbackPort {
  parse: ParseCallback;
  channel: CommsChannel;
  confirm?: VoicePort['confirmCallback'];
}

function callbackPort(c: Connector): CallbackPort | null {
  if (c.email?.parseCallback) return { parse: c.email.parseCallback, channel: 'email' };
  if (c.sms) return { parse: c.sms.parseCallback, channel: 'sms' };
  if (c.voice)
    return { parse: c.voice.parseCallback, channel: 'call', confirm: c.voice.confirmCallback?.bind(c.voice) };
  return null;
}

export interface BatchOutcome {
  received: number;
  recorded: number;
  duplicates: number;
  applied: number;
}

/**
 * Delivery and call-status callbacks: verified by the provider's connector, recorded once per provider
 * event id, applied forward-only to their message (an out-of-order event stays in its history), each
 * change announced through the outbox; hard bounces, spam reports and unsubscribes feed the suppression
 * list. The provider gets its 200 only after the transaction commits.
 */
@Injectable()
export class CallbacksService {
  constructor(
    private readonly repo: MessagesRepository,
    private readonly recorder: StatusRecorder,
    private readonly configs: ProviderConfigCache,
    private readonly registry: ConnectorRegistry,
    @Inject(SERVICE_CONFIG) private readonly config: CommsConfig,
  ) {}

  async receive(inbound: InboundWebhook): Promise<WebhookReply> {
    const connector = this.registry.get(inbound.provider);
    const port = connector && callbackPort(connector);
    if (!port) throw CommsErrors.noCallbacks(inbound.provider);
    const config = await this.configs.get(inbound.provider);
    let result: CallbackResult;
    try {
      result = port.parse(
        { credentials: config.credentials, settings: config.settings },
        {
          method: inbound.method,
          url: inbound.url,
          headers: inbound.headers,
          body: Buffer.from(inbound.body_base64, 'base64'),
        },
      );
    } catch (err) {
      throw CommsErrors.badCallback(inbound.provider, err);
    }
    if (result.reply)
      return { status: result.reply.status, content_type: result.reply.contentType, body: result.reply.body };
    const confirm = port.confirm;
    const creds = { credentials: config.credentials, settings: config.settings };
    // before the transaction: a provider call must not hold row locks. A replay of an event already
    // recorded is a duplicate anyway and costs no provider call (the statistics API is rate-limited).
    const known =
      confirm && result.events.some((e) => e.confirm)
        ? await this.repo.transaction((m) =>
            this.repo.knownEventIds(
              m,
              inbound.provider,
              result.events.map((e) => e.providerEventId),
            ),
          )
        : new Set<string>();
    const events = confirm
      ? await Promise.all(
          result.events.map((e) =>
            known.has(e.providerEventId)
              ? Promise.resolve(e)
              : confirm(creds, e, { timeoutMs: this.config.COMMS_PROVIDER_TIMEOUT_MS }),
          ),
        )
      : result.events;
    const outcome = await this.record(inbound.provider, port.channel, events);
    return { status: 200, content_type: 'application/json', body: JSON.stringify(outcome) };
  }

  /** One transaction for the whole batch (SendGrid posts up to thousands of events at once). */
  async record(provider: string, channel: CommsChannel, all: DeliveryEvent[]): Promise<BatchOutcome> {
    const unique = [...new Map(all.map((e) => [e.providerEventId, e])).values()];
    return this.repo.transaction(async (m) => {
      const messages = await this.match(m, provider, unique);
      // after the locks: a concurrent copy of this batch has committed by now, and its events are seen
      const known = await this.repo.knownEventIds(
        m,
        provider,
        unique.map((e) => e.providerEventId),
      );
      const fresh = unique.filter((e) => !known.has(e.providerEventId));
      const ordered = fresh
        .map((e, i) => ({ e, i }))
        .sort((a, b) => a.e.at.getTime() - b.e.at.getTime() || a.i - b.i)
        .map((x) => x.e);
      const rows: EventRow[] = [];
      const suppressions: Parameters<MessagesRepository['addSuppressions']>[1] = [];
      let applied = 0;
      for (const e of ordered) {
        const msg = messages.get(e);
        // an event about a message another provider served (a late copy after a failover) is kept, not applied
        const own = !!msg && msg.provider === provider;
        // an outcome the provider's API did not confirm is kept for an operator, not applied
        const moved =
          own && !e.unconfirmed ? await this.recorder.advance(m, msg, e.status, e.providerStatus, e.at) : false;
        if (moved) applied++;
        rows.push({
          message_id: msg?.id ?? null,
          provider,
          provider_event_id: e.providerEventId,
          status: e.status,
          provider_status: e.providerStatus,
          applied: moved,
          details: e.details ?? null,
          at: e.at,
        });
        if (e.suppress)
          suppressions.push({
            channel: msg?.channel ?? channel,
            address: e.suppress.address,
            reason: e.suppress.reason,
            provider,
            message_id: msg?.id ?? null,
          });
      }
      await this.repo.insertEvents(m, rows);
      await this.repo.addSuppressions(m, suppressions);
      return { received: all.length, recorded: rows.length, duplicates: all.length - rows.length, applied };
    });
  }

  /** The message of each event: by our id, by the provider's id, or (first notification of a call) by correlation key. */
  private async match(
    m: EntityManager,
    provider: string,
    events: DeliveryEvent[],
  ): Promise<Map<DeliveryEvent, MessageRow>> {
    const ids = [...new Set(events.map((e) => e.messageId).filter((id): id is string => !!id && UUID.test(id)))];
    const pids = [...new Set(events.map((e) => e.providerMessageId).filter((id): id is string => !!id))];
    const rows = await this.repo.lockForCallbacks(m, provider, ids, pids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const byPid = new Map(
      rows.filter((r) => r.provider === provider && r.provider_message_id).map((r) => [r.provider_message_id!, r]),
    );
    const out = new Map<DeliveryEvent, MessageRow>();
    for (const e of events) {
      let msg =
        (e.messageId && byId.get(e.messageId)) || (e.providerMessageId && byPid.get(e.providerMessageId)) || undefined;
      if (!msg && e.correlationKey && e.providerMessageId) {
        msg = (await this.repo.claimAwaitingCall(m, provider, e.correlationKey, e.providerMessageId)) ?? undefined;
        if (msg) byPid.set(e.providerMessageId, msg);
      }
      if (msg) out.set(e, msg);
    }
    return out;
  }
}
