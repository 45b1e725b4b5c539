import type { EntityManager } from 'typeorm';

import type { EventSubject } from '@app/contracts';
import { OutboxWriter } from '@app/messaging';

const writer = new OutboxWriter();

/** Many events of one subject in the caller's transaction (an intake batch can queue hundreds of FTDs). */
export async function addOutboxEvents(
  m: EntityManager,
  _schema: string,
  subject: EventSubject,
  payloads: object[],
): Promise<void> {
  await writer.addMany(m, subject, payloads);
}
