import { createHash } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import {
  ConnectorRegistry,
  normaliseAddress,
  ProviderConfigCache,
  type CallbackResult,
  type Connector,
  type DeliveryEvent,
  type ParseCallback,
  type ReplayGuard,
  type VoicePort,
} from '@app/connectors';
import type { CommsChannel, CommsStatus, InboundWebhook, WebhookReply } from '@app/contracts';
import { SERVICE_CONFIG } from '@app/runtime';

import type { CommsConfig } from '../comms.config';
import { CommsErrors } from '../comms.errors';
import { MessagesRepository, type EventRow, type MessageRow, type PartRow } from '../log/messages.repository';
import { advances, partsStatus } from '../log/status.policy';
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

/** A callback's single-use token with the digest of the exact body it came with. */
export interface ClaimedToken extends ReplayGuard {
  bodyDigest: string;
}

/**
 * Delivery and call-status callbacks: verified by the provider's connector, recorded once per provider
 * event id, applied forward-only to their message (an out-of-order event stays in its history), each
 * change announced through the outbox; hard bounces, spam reports and unsubscribes feed the suppression
 * list. The provider gets its 200 only after the transaction commits. A callback whose scheme signs no
 * body carries a single-use token (CallbackResult.replayGuard), claimed in that same transaction: a
 * retry of the same body is answered as a duplicate, another body under a used token is refused.
 * An event about one part of a message sent in parts moves that part; the message takes the status
 * derived from all its parts.
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
    const body = Buffer.from(inbound.body_base64, 'base64');
    try {
      result = port.parse(
        { credentials: config.credentials, settings: config.settings },
        { method: inbound.method, url: inbound.url, headers: inbound.headers, body },
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
    const guard: ClaimedToken | undefined = result.replayGuard && {
      ...result.replayGuard,
      // the URL too: a GET callback (Vonage's GET delivery receipts) carries its fields in the query
      bodyDigest: createHash('sha256').update(inbound.url).update('\n').update(body).digest('base64url'),
    };
    const outcome = await this.record(inbound.provider, port.channel, events, guard);
    return { status: 200, content_type: 'application/json', body: JSON.stringify(outcome) };
  }

  /** One transaction for the whole batch (SendGrid posts up to thousands of events at once). */
  async record(
    provider: string,
    channel: CommsChannel,
    all: DeliveryEvent[],
    token?: ClaimedToken,
  ): Promise<BatchOutcome> {
    const unique = [...new Map(all.map((e) => [e.providerEventId, e])).values()];
    return this.repo.transaction(async (m) => {
      if (token) {
        const claim = await this.repo.claimCallbackToken(m, provider, token.token, token.bodyDigest, token.ttlMs);
        if (claim === 'conflict') throw CommsErrors.tokenReused(provider);
        // the first copy committed with its events: nothing to apply twice
        if (claim === 'retry') return { received: all.length, recorded: 0, duplicates: all.length, applied: 0 };
      }
      const { messages, parts } = await this.match(m, provider, unique);
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
        const moved = own && !e.unconfirmed ? await this.apply(m, msg, parts.get(msg.id), e) : false;
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
            address: normaliseAddress(msg?.channel ?? channel, e.suppress.address),
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

  /**
   * Applies one event to its (locked) message; whether anything moved. A message sent in parts: the event
   * moves its part (forward only), and the message takes the status derived from all parts. An event of
   * such a message that names no part of it changes nothing (one part cannot speak for the others).
   */
  private async apply(m: EntityManager, msg: MessageRow, parts: PartRow[] | undefined, e: DeliveryEvent) {
    if (!parts?.length) return this.recorder.advance(m, msg, e.status, e.providerStatus, e.at);
    const part = parts.find((p) => p.provider === msg.provider && p.provider_message_id === e.providerMessageId);
    if (!part || !e.status || !advances(msg.channel, part.status, e.status)) return false;
    part.status = e.status;
    part.provider_status = e.providerStatus;
    await this.repo.setPartStatus(m, part.provider, part.provider_message_id, e.status, e.providerStatus);
    const derived = partsStatus(
      msg.channel,
      parts.filter((p) => p.provider === msg.provider).map((p) => p.status),
    ) as CommsStatus;
    await this.recorder.advance(m, msg, derived, e.providerStatus, e.at);
    return true;
  }

  /**
   * The message of each event: by our id, by the provider's id (of the message or of one of its parts), or
   * (first notification of a call) by correlation key; and the parts of the matched messages.
   */
  private async match(
    m: EntityManager,
    provider: string,
    events: DeliveryEvent[],
  ): Promise<{ messages: Map<DeliveryEvent, MessageRow>; parts: Map<string, PartRow[]> }> {
    const ids = [...new Set(events.map((e) => e.messageId).filter((id): id is string => !!id && UUID.test(id)))];
    const pids = [...new Set(events.map((e) => e.providerMessageId).filter((id): id is string => !!id))];
    const rows = await this.repo.lockForCallbacks(m, provider, ids, pids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const byPid = new Map(
      rows.filter((r) => r.provider === provider && r.provider_message_id).map((r) => [r.provider_message_id!, r]),
    );
    const parts = new Map<string, PartRow[]>();
    for (const part of await this.repo.partsOf(
      m,
      rows.map((r) => r.id),
    )) {
      parts.set(part.message_id, [...(parts.get(part.message_id) ?? []), part]);
      const owner = byId.get(part.message_id);
      if (owner && part.provider === provider) byPid.set(part.provider_message_id, owner);
    }
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
    return { messages: out, parts };
  }
}
