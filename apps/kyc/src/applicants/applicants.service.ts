import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import { toDomainError } from '@app/connectors';
import {
  eventSubjects,
  type ApplicantCreated,
  type CreateApplicantRequest,
  type KycStatusChangedEvent,
} from '@app/contracts';
import { OutboxWriter } from '@app/messaging';
import { currentContext } from '@app/observability';
import { Idempotency } from '@app/persistence';

import { KycProviders } from '../connectors/kyc-providers';
import { evaluateGates, type GatePolicy } from '../gates/gates';
import { GATE_POLICY } from '../gates/gates.policy';
import { EventsRepository } from '../records/events.repository';
import { RecordsRepository } from '../records/records.repository';

/** Creates the provider's applicant (externalUserId = customer UUID) and the customer's pending record. */
@Injectable()
export class ApplicantsService {
  constructor(
    private readonly providers: KycProviders,
    private readonly records: RecordsRepository,
    private readonly events: EventsRepository,
    private readonly idempotency: Idempotency,
    private readonly outbox: OutboxWriter,
    @Inject(GATE_POLICY) private readonly policy: GatePolicy,
  ) {}

  create(req: CreateApplicantRequest): Promise<ApplicantCreated> {
    const { idempotency_key: key, ...body } = req;
    if (!key) return this.createOnce(body);
    // keys are per platform key: two callers cannot collide on (or read) each other's answers
    const scope = `applicants.create:${currentContext()?.actor ?? 'anonymous'}`;
    return this.idempotency.run(scope, key, body, () => this.createOnce(body));
  }

  private async createOnce(req: Omit<CreateApplicantRequest, 'idempotency_key'>): Promise<ApplicantCreated> {
    const provider = await this.providers.active(req.provider);
    const customerId = req.customer_id.toLowerCase();
    const applicant = await provider.port
      .createApplicant(provider.config, {
        customerId,
        levelName: req.level_name,
        email: req.email,
        phone: req.phone,
      })
      .catch((err: unknown) => {
        throw toDomainError(provider.key, err);
      });
    const verificationUrl = applicant.verificationUrl ?? null;
    await this.records.transaction(async (m) => {
      const gates = evaluateGates(
        { status: 'pending', docType: null, docCountry: null, docExpiry: null, birthDate: null, rejectLabels: [] },
        this.policy,
      );
      const created = await this.records.insertPending(m, {
        customerId,
        provider: provider.key,
        providerId: applicant.providerId,
        verificationUrl,
        gates,
      });
      if (!created)
        return this.records.linkApplicant(m, customerId, provider.key, applicant.providerId, verificationUrl);
      // the record's first history entry: it starts `pending`, like every later status, in history
      const historyId = randomUUID();
      await this.events.record(m, {
        id: historyId,
        provider: provider.key,
        eventKey: `applicant_created:${historyId}`,
        source: 'internal',
        eventType: 'applicant_created',
        providerId: applicant.providerId,
        customerRef: customerId,
        customerId,
        status: 'pending',
        providerStatus: null,
        rejectLabels: [],
        needsDetails: false,
        occurredAt: new Date(),
        payload: { level_name: req.level_name ?? null },
      });
      await this.events.markProcessed(m, historyId, customerId, 'applied');
      const event: KycStatusChangedEvent = {
        customer_id: customerId,
        provider: provider.key,
        provider_id: applicant.providerId,
        status: 'pending',
        previous_status: null,
        provider_status: null,
        doc_type: null,
        doc_country: null,
        reject_labels: [],
        source: 'internal',
        at: new Date().toISOString(),
      };
      await this.outbox.add(m, eventSubjects.kycStatusChanged, event);
    });
    return {
      customer_id: customerId,
      provider: provider.key,
      provider_id: applicant.providerId,
      access_token: applicant.accessToken,
      verification_url: verificationUrl,
    };
  }
}
