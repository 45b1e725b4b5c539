import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { ConnectorError, type KycWebhookEvent } from '@app/connectors';
import { eventSubjects, type InboundWebhook, type KycWebhookRecordedEvent, type WebhookReply } from '@app/contracts';
import { eventHeaders, OutboxRelay } from '@app/messaging';

import { KycProviders, type KycProvider } from '../connectors/kyc-providers';
import { asCustomerId, orderingTime } from '../decisions/decision';
import { KycErrors } from '../kyc.errors';
import { EventsRepository } from '../records/events.repository';

const ACCEPTED: WebhookReply = { status: 200, content_type: 'application/json', body: '{"ok":true}' };

/**
 * A provider's own webhook: verified over the exact bytes, recorded (de-duplicated by the provider's
 * event id) together with an outbox event in one statement, and answered. Nothing else happens before the answer:
 * SumSub gives up after 5 s, and the applicant fetch that enrichment needs can be slower than that.
 */
@Injectable()
export class WebhookIntakeService {
  constructor(
    private readonly providers: KycProviders,
    private readonly events: EventsRepository,
    private readonly relay: OutboxRelay,
  ) {}

  async receive(w: InboundWebhook): Promise<WebhookReply> {
    if (w.method !== 'POST') throw KycErrors.noWebhookMethod(w.method);
    const provider = await this.providers.byKey(w.provider);
    const event = this.verify(provider, w);
    const id = randomUUID();
    const customerId = asCustomerId(event.customerRef);
    const recorded: KycWebhookRecordedEvent = {
      event_id: id,
      provider: provider.key,
      customer_id: customerId,
      provider_id: event.providerId,
    };
    const inserted = await this.events.recordWithOutbox(
      {
        id,
        provider: provider.key,
        eventKey: event.eventKey,
        source: 'webhook',
        eventType: event.eventType,
        providerId: event.providerId,
        customerRef: event.customerRef,
        customerId,
        status: event.status,
        providerStatus: event.providerStatus,
        rejectLabels: event.rejectLabels,
        // the provider's own time stays in the payload; the column holds the time the event is ordered by
        needsDetails: event.needsDetails,
        occurredAt: event.occurredAt && orderingTime(event.occurredAt, new Date()),
        payload: event.payload,
      },
      { id: randomUUID(), subject: eventSubjects.kycWebhookRecorded, payload: recorded, headers: eventHeaders() },
    );
    if (inserted) this.relay.wake();
    return ACCEPTED;
  }

  private verify(provider: KycProvider, w: InboundWebhook): KycWebhookEvent {
    try {
      return provider.port.parseWebhook(provider.config, {
        headers: w.headers,
        body: Buffer.from(w.body_base64, 'base64'),
      });
    } catch (err) {
      if (!(err instanceof ConnectorError)) throw err;
      // an unconfigured webhook secret cannot verify anything: refused like a bad signature
      if (err.code === 'bad_signature' || err.code === 'invalid_config')
        throw KycErrors.badSignature(provider.key, err.message);
      throw KycErrors.badWebhookBody(provider.key, err.message);
    }
  }
}
