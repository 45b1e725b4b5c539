import { Injectable } from '@nestjs/common';

import type { CommsStatus, ListMessagesRequest, MessageView } from '@app/contracts';

import { CommsErrors } from '../comms.errors';
import { MessagesRepository, type MessageRow } from './messages.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEFAULT_LIMIT = 50;

/** The message log as the API shows it: each message with its status history, send attempts and parts. */
@Injectable()
export class MessagesQuery {
  constructor(private readonly repo: MessagesRepository) {}

  async get(id: string): Promise<MessageView> {
    const row = UUID.test(id) ? await this.repo.findMessage(id.toLowerCase()) : null;
    if (!row) throw CommsErrors.unknownMessage(id);
    return (await this.views([row]))[0];
  }

  async list(q: ListMessagesRequest): Promise<{ messages: MessageView[] }> {
    const rows = await this.repo.listMessages({
      customerId: q.customer_id,
      status: q.status,
      channel: q.channel,
      limit: q.limit ?? DEFAULT_LIMIT,
    });
    return { messages: await this.views(rows) };
  }

  private async views(rows: MessageRow[]): Promise<MessageView[]> {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const [events, attempts, parts] = await Promise.all([
      this.repo.eventsOf(ids),
      this.repo.attemptsOf(ids),
      this.repo.partsOfMessages(ids),
    ]);
    return rows.map((r) => ({
      message_id: r.id,
      channel: r.channel,
      provider: r.provider,
      provider_message_id: r.provider_message_id,
      status: r.status as CommsStatus,
      to: r.to_address,
      customer_id: r.customer_id,
      event_type: r.event_type,
      created_at: r.created_at.toISOString(),
      updated_at: r.updated_at.toISOString(),
      events: events
        .filter((e) => e.message_id === r.id)
        .map((e) => ({
          status: e.status as CommsStatus | null,
          provider_status: e.provider_status,
          at: new Date(e.at).toISOString(),
          applied: e.applied,
        })),
      attempts: attempts
        .filter((a) => a.message_id === r.id)
        .map((a) => ({
          provider: a.provider,
          outcome: a.outcome,
          error: a.error,
          at: new Date(a.at).toISOString(),
        })),
      parts: parts
        .filter((p) => p.message_id === r.id)
        .map((p) => ({
          part: p.part,
          provider_message_id: p.provider_message_id,
          status: p.status as CommsStatus,
          provider_status: p.provider_status,
        })),
    }));
  }
}
