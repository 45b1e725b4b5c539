import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { eventSubjects, type CommsStatus, type MessageStatusChangedEvent } from '@app/contracts';
import { OutboxWriter } from '@app/messaging';

import { MessagesRepository, type MessageRow } from './messages.repository';
import { advances } from './status.policy';

/** The one place a message's status changes: forward only, announced through the outbox in the same transaction. */
@Injectable()
export class StatusRecorder {
  constructor(
    private readonly repo: MessagesRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  /** `msg` must be locked in `m`; it is updated in place. Returns whether the status moved. */
  async advance(
    m: EntityManager,
    msg: MessageRow,
    status: CommsStatus | null,
    providerStatus: string,
    at: Date,
  ): Promise<boolean> {
    if (!status || !advances(msg.channel, msg.status, status)) return false;
    const previous = msg.status as CommsStatus;
    msg.status = status;
    await this.repo.setStatus(m, msg.id, status);
    const event: MessageStatusChangedEvent = {
      message_id: msg.id,
      channel: msg.channel,
      provider: msg.provider,
      provider_message_id: msg.provider_message_id,
      customer_id: msg.customer_id,
      event_type: msg.event_type,
      status,
      previous_status: previous,
      provider_status: providerStatus,
      at: at.toISOString(),
    };
    await this.outbox.add(m, eventSubjects.commsMessageStatusChanged, event);
    return true;
  }
}
