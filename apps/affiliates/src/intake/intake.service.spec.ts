import type { EntityManager } from 'typeorm';

import { eventSubjects, type LeadFtdEvent } from '@app/contracts';
import { OutboxWriter } from '@app/messaging';
import { Metrics } from '@app/observability';

import { AffiliatesMetrics } from '../affiliates.metrics';
import { FxRates } from '../thresholds/fx-rates';
import type { ThresholdRow, ThresholdsRepository } from '../thresholds/thresholds.repository';
import { IntakeService, type IntakeEvent } from './intake.service';
import type { LeadRow, LeadsRepository, NewLeadEvent } from './leads.repository';

/** Leads and queued events in memory, as LeadsRepository keeps them. */
class MemoryLeads {
  readonly leads = new Map<string, LeadRow>();
  readonly events: NewLeadEvent[] = [];
  readonly ignored: Record<string, number> = {};
  unattributed = 0;
  constructor(private readonly m: EntityManager) {}
  transaction = <T>(work: (m: EntityManager) => Promise<T>) => work(this.m);
  lockLeads = (_m: EntityManager, ids: string[]) =>
    Promise.resolve(ids.flatMap((id) => (this.leads.has(id) ? [{ ...this.leads.get(id)! }] : [])));
  insertEvents = (_m: EntityManager, rows: NewLeadEvent[]) => {
    this.events.push(...rows);
    return Promise.resolve();
  };
  markFtd = (_m: EntityManager, ids: string[], ats: Date[]) => {
    ids.forEach((id, i) => (this.leads.get(id)!.ftd_at = ats[i]));
    return Promise.resolve();
  };
  countUnattributed = (_m: EntityManager, n: number) => {
    this.unattributed += n;
    return Promise.resolve();
  };
  countIgnored = (_m: EntityManager, reason: string, n: number) => {
    this.ignored[reason] = (this.ignored[reason] ?? 0) + n;
    return Promise.resolve();
  };
}

describe(IntakeService.name, () => {
  let leads: MemoryLeads;
  let thresholds: ThresholdRow[];
  let outbox: { subject: string; payloads: LeadFtdEvent[] }[];
  let intake: IntakeService;

  const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute));
  const deposit = (amount: string, currency = 'USD', minute = 1, customer_id = 'c-br'): IntakeEvent => ({
    customer_id,
    event: 'lead.deposit',
    amount,
    currency,
    occurred_at: at(minute),
  });
  const threshold = (country: string, min_amount: string, currency = 'USD') =>
    ({ country, min_amount, currency }) as ThresholdRow;
  const record = (...events: IntakeEvent[]) => leads.transaction((m) => intake.record(events, m));
  const ftds = () => outbox.filter((o) => o.subject === eventSubjects.affiliatesLeadFtd).flatMap((o) => o.payloads);

  beforeEach(() => {
    outbox = [];
    const m = {
      queryRunner: { isTransactionActive: true, data: {} },
      query: (_sql: string, [, subject, payloads]: [string[], string, string[]]) => {
        outbox.push({ subject, payloads: payloads.map((p) => JSON.parse(p) as LeadFtdEvent) });
        return Promise.resolve();
      },
    } as unknown as EntityManager;
    leads = new MemoryLeads(m);
    for (const [customer_id, country] of [
      ['c-br', 'BR'],
      ['c-de', 'DE'],
    ])
      leads.leads.set(customer_id, {
        customer_id,
        country,
        affiliate_id: 'aff-1',
        affiliate_lead_id: `lead-${customer_id}`,
        ftd_at: null,
        created_at: at(0),
      });
    thresholds = [threshold('BR', '100'), threshold('default', '50')];
    intake = new IntakeService(
      leads as unknown as LeadsRepository,
      { all: () => Promise.resolve(thresholds) } as unknown as ThresholdsRepository,
      FxRates.parse('USD=1, EUR=1.10, BRL=0.2'),
      new AffiliatesMetrics(new Metrics('affiliates', { defaultMetrics: false })),
      new OutboxWriter(),
    );
  });

  it("queues a deposit below the country's threshold as a deposit, and the first one reaching it as the FTD", async () => {
    expect(await record(deposit('60'), deposit('150', 'USD', 2))).toEqual([
      { outcome: 'queued', event: 'lead.deposit' },
      { outcome: 'queued', event: 'lead.ftd' },
    ]);
    expect(leads.leads.get('c-br')!.ftd_at).toEqual(at(2));
    expect(ftds()).toEqual([
      {
        affiliate_id: 'aff-1',
        affiliate_lead_id: 'lead-c-br',
        customer_id: 'c-br',
        country: 'BR',
        amount: 150,
        currency: 'USD',
        ftd_at: at(2).toISOString(),
      },
    ]);
  });

  it('judges a country without a threshold of its own by the default one', async () => {
    expect(await record(deposit('60', 'USD', 1, 'c-de'))).toEqual([{ outcome: 'queued', event: 'lead.ftd' }]);
  });

  it('suppresses every event after the FTD, in the same batch and in later ones, and announces one FTD', async () => {
    const first = await record(deposit('200'), deposit('300', 'USD', 2));
    const later = await record(deposit('400', 'USD', 3), {
      customer_id: 'c-br',
      event: 'lead.kyc_approved',
      occurred_at: at(4),
    });
    expect([...first, ...later]).toEqual([
      { outcome: 'queued', event: 'lead.ftd' },
      { outcome: 'suppressed', event: 'lead.deposit' },
      { outcome: 'suppressed', event: 'lead.deposit' },
      { outcome: 'suppressed', event: 'lead.kyc_approved' },
    ]);
    expect(leads.events.map((e) => e.status)).toEqual(['pending', 'suppressed', 'suppressed', 'suppressed']);
    expect(ftds()).toHaveLength(1);
    expect(leads.leads.get('c-br')!.ftd_at).toEqual(at(1));
  });

  it("converts the deposit into the threshold's currency", async () => {
    expect(await record(deposit('499', 'BRL'), deposit('500', 'BRL', 2))).toEqual([
      { outcome: 'queued', event: 'lead.deposit' },
      { outcome: 'queued', event: 'lead.ftd' },
    ]);
  });

  it('queues a deposit without a rate as a deposit, flagged unconvertible, never as the FTD', async () => {
    expect(await record(deposit('1000000', 'JPY'))).toEqual([
      { outcome: 'queued', event: 'lead.deposit', unconvertible: true },
    ]);
    expect(leads.events[0].unconvertible).toBe(true);
    expect(leads.leads.get('c-br')!.ftd_at).toBeNull();
  });

  it('makes the first deposit the FTD when no threshold is configured', async () => {
    thresholds = [];
    expect(await record(deposit('1'))).toEqual([{ outcome: 'queued', event: 'lead.ftd' }]);
  });

  it('ignores and counts a deposit of zero or less, which never becomes the FTD', async () => {
    thresholds = [];
    expect(await record(deposit('0'), deposit('-5', 'USD', 2), deposit('10', 'USD', 3))).toEqual([
      { outcome: 'ignored' },
      { outcome: 'ignored' },
      { outcome: 'queued', event: 'lead.ftd' },
    ]);
    expect(leads.ignored).toEqual({ non_positive_amount: 2 });
  });

  it('ignores and counts events of customers no affiliate brought', async () => {
    expect(await record(deposit('500', 'USD', 1, 'c-organic'))).toEqual([{ outcome: 'ignored' }]);
    expect(leads.unattributed).toBe(1);
    expect(leads.events).toEqual([]);
  });
});
