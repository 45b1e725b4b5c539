import { randomUUID } from 'node:crypto';

import type { EntityManager } from 'typeorm';

import {
  eventSubjects,
  type GatesReevaluatedEvent,
  type KycStatusChangedEvent,
  type KycStatusValue,
} from '@app/contracts';
import type { OutboxWriter } from '@app/messaging';

import type { GatePolicy } from '../gates/gates';
import type { EventOutcome, EventsRepository } from '../records/events.repository';
import type { GateResults, KycRecordEntity } from '../records/kyc.entities';
import type { RecordsRepository } from '../records/records.repository';
import { ApplyKycDecision } from './apply-decision';
import type { KycDecision } from './decision';

/** Customers' records in memory, as RecordsRepository keeps them. */
class MemoryRecords {
  readonly rows = new Map<string, KycRecordEntity>();
  findByProviderId = (provider: string, providerId: string) =>
    Promise.resolve(
      [...this.rows.values()].find((r) => r.provider === provider && r.providerId === providerId) ?? null,
    );
  lock = (_m: EntityManager, customerId: string) => Promise.resolve(this.rows.get(customerId) ?? null);
  insertPending = (
    _m: EntityManager,
    r: { customerId: string; provider: string; providerId: string | null; gates: GateResults },
  ) => {
    if (this.rows.has(r.customerId)) return Promise.resolve(false);
    const row: KycRecordEntity = {
      ...r,
      verificationUrl: null,
      status: 'pending',
      providerStatus: null,
      docType: null,
      docCountry: null,
      docExpiry: null,
      birthDate: null,
      rejectLabels: [],
      lastEventAt: null,
      reconciledAt: null,
      createdAt: new Date(),
      updatedAt: new Date(),
    };
    this.rows.set(r.customerId, row);
    return Promise.resolve(true);
  };
  save = (_m: EntityManager, r: KycRecordEntity) => {
    r.updatedAt = new Date();
    return Promise.resolve(r);
  };
}

describe(ApplyKycDecision.name, () => {
  const m = {} as EntityManager;
  const policy: GatePolicy = {
    restrictedCountries: new Set(['IR']),
    acceptedDocTypes: new Set(['passport']),
    screeningLabels: new Set(['SANCTIONS']),
    minAge: 18,
  };
  let records: MemoryRecords;
  let processed: { id: string; customerId: string | null; outcome: EventOutcome }[];
  let announced: { subject: string; event: unknown }[];
  let apply: ApplyKycDecision;
  let customerId: string;
  let clock: number;

  const decide = (d: Partial<KycDecision>) =>
    apply.execute(m, {
      eventId: randomUUID(),
      source: 'webhook',
      provider: 'sumsub',
      providerId: 'app-1',
      customerId,
      status: null,
      providerStatus: null,
      rejectLabels: null,
      occurredAt: new Date((clock += 1000)),
      details: null,
      ...d,
    });
  const statusEvents = () =>
    announced.filter((a) => a.subject === eventSubjects.kycStatusChanged).map((a) => a.event as KycStatusChangedEvent);
  const gateEvents = () =>
    announced
      .filter((a) => a.subject === eventSubjects.complianceGatesReevaluated)
      .map((a) => a.event as GatesReevaluatedEvent);
  const approvedAdult = (): Partial<KycDecision> => ({
    status: 'approved',
    providerStatus: 'GREEN',
    details: { docType: 'passport', docCountry: 'GB', birthDate: '1990-01-01', docExpiry: '2099-01-01' },
  });

  beforeEach(() => {
    records = new MemoryRecords();
    processed = [];
    announced = [];
    customerId = randomUUID();
    clock = Date.now() - 60_000;
    const events = {
      markProcessed: (_m: EntityManager, id: string, cid: string | null, outcome: EventOutcome) => {
        processed.push({ id, customerId: cid, outcome });
        return Promise.resolve();
      },
    } as unknown as EventsRepository;
    const outbox = {
      add: (_m: EntityManager, subject: string, event: unknown) => {
        announced.push({ subject, event });
        return Promise.resolve();
      },
    } as unknown as OutboxWriter;
    apply = new ApplyKycDecision(records as unknown as RecordsRepository, events, outbox, policy);
  });

  it('creates a pending record for a customer seen first and announces its first status', async () => {
    await expect(decide({ status: 'pending' })).resolves.toEqual({ outcome: 'applied', customerId, status: 'pending' });
    expect(statusEvents()).toEqual([expect.objectContaining({ customer_id: customerId, previous_status: null })]);
    expect(gateEvents()).toEqual([]);
  });

  it('announces an approval with the gates re-evaluated, all passed for an approved adult', async () => {
    await decide({ status: 'pending' });
    await decide(approvedAdult());
    expect(statusEvents().at(-1)).toMatchObject({ status: 'approved', previous_status: 'pending' });
    expect(gateEvents()).toEqual([
      expect.objectContaining({ trigger: 'kyc_approved', all_passed: true, previous_status: 'pending' }),
    ]);
  });

  it('announces the gates failing when an approved customer turns out to be under age', async () => {
    await decide(approvedAdult());
    const today = new Date();
    const minor = `${today.getUTCFullYear() - 10}-01-01`;
    await expect(decide({ details: { birthDate: minor } })).resolves.toMatchObject({ outcome: 'applied' });
    expect(gateEvents().at(-1)).toMatchObject({ trigger: 'kyc_details_changed', all_passed: false });
    expect(gateEvents().at(-1)!.gates.age).toBe('fail');
    expect(statusEvents()).toHaveLength(1);
  });

  it('announces the gates again when an approved customer is rejected later', async () => {
    await decide(approvedAdult());
    await decide({ status: 'rejected', rejectLabels: ['SANCTIONS'] });
    expect(gateEvents().map((g) => g.trigger)).toEqual(['kyc_approved', 'kyc_status_changed']);
    expect(gateEvents().at(-1)!.gates).toMatchObject({ identity: 'fail', screening: 'fail' });
  });

  it('keeps an event older than the latest applied one in history only', async () => {
    await decide({ status: 'rejected', occurredAt: new Date(clock + 10_000) });
    const before = announced.length;
    await expect(decide({ status: 'approved', occurredAt: new Date(clock) })).resolves.toEqual({
      outcome: 'stale',
      customerId,
      status: 'rejected',
    });
    expect(records.rows.get(customerId)!.status).toBe('rejected');
    expect(announced).toHaveLength(before);
    expect(processed.at(-1)!.outcome).toBe('stale');
  });

  it('does not let a far-future provider time freeze the record: a later event still applies', async () => {
    await decide({ status: 'on_hold', occurredAt: new Date('9999-01-01T00:00:00Z') });
    // received at or after it, with a provider time at the edge of the clock-ahead allowance
    await expect(decide({ status: 'approved', occurredAt: new Date(Date.now() + 5 * 60_000) })).resolves.toMatchObject({
      status: 'approved',
      outcome: 'applied',
    });
  });

  it('answers no_change, announcing nothing, for an event that changes nothing', async () => {
    await decide({ status: 'pending' });
    const before = announced.length;
    await expect(decide({ status: 'pending' })).resolves.toMatchObject({ outcome: 'no_change' });
    expect(announced).toHaveLength(before);
  });

  it('clears the reject labels on an approval that names none', async () => {
    await decide({ status: 'resubmission_requested', rejectLabels: ['BAD_PHOTO'] });
    await decide(approvedAdult());
    expect(records.rows.get(customerId)!.rejectLabels).toEqual([]);
  });

  it("finds the customer by the provider's applicant id when the event names no customer", async () => {
    await decide({ status: 'pending' });
    await expect(decide({ customerId: null, status: 'on_hold' })).resolves.toEqual({
      outcome: 'applied',
      customerId,
      status: 'on_hold' satisfies KycStatusValue,
    });
  });

  it('marks an event naming no known customer or applicant unmatched, creating nothing', async () => {
    await expect(decide({ customerId: null, providerId: 'app-unknown', status: 'approved' })).resolves.toEqual({
      outcome: 'unmatched',
      customerId: null,
      status: null,
    });
    expect(records.rows.size).toBe(0);
    expect(announced).toEqual([]);
    expect(processed).toEqual([expect.objectContaining({ outcome: 'unmatched' })]);
  });
});
