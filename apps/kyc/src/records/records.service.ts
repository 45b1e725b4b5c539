import { Injectable } from '@nestjs/common';

import type { KycRecordView } from '@app/contracts';

import { allPassed } from '../gates/gates';
import { KycErrors } from '../kyc.errors';
import { EventsRepository } from './events.repository';
import { RecordsRepository } from './records.repository';

/** The API's KycRecord: the record, its gates and its history. */
@Injectable()
export class RecordsService {
  constructor(
    private readonly records: RecordsRepository,
    private readonly events: EventsRepository,
  ) {}

  async get(customerId: string): Promise<KycRecordView> {
    const id = customerId.toLowerCase();
    const [r, history] = await Promise.all([this.records.find(id), this.events.historyOf(id)]);
    if (!r) throw KycErrors.notFound(customerId);
    return {
      customer_id: r.customerId,
      provider: r.provider,
      provider_id: r.providerId,
      verification_url: r.verificationUrl,
      status: r.status,
      doc_type: r.docType,
      doc_country: r.docCountry,
      reject_labels: r.rejectLabels,
      updated_at: r.updatedAt.toISOString(),
      gates: { ...r.gates, all_passed: allPassed(r.gates) },
      history: history.map((e) => ({
        status: e.status,
        at: (e.occurredAt ?? e.receivedAt).toISOString(),
        provider_status: e.providerStatus,
        type: e.eventType,
        source: e.source,
        outcome: e.outcome,
      })),
    };
  }
}
