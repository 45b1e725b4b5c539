// WIRE PROTOCOL: these subject strings are what affiliates replicas listen on; renaming one breaks deployed services.
export const affiliatesSubjects = {
  upsertAffiliate: 'affiliates.affiliates.upsert',
  getAffiliate: 'affiliates.affiliates.get',
  listAffiliates: 'affiliates.affiliates.list',
  setThreshold: 'affiliates.thresholds.set',
  listThresholds: 'affiliates.thresholds.list',
  createLead: 'affiliates.leads.create',
  recordEvent: 'affiliates.events.record',
  stats: 'affiliates.stats.get',
  listDeliveries: 'affiliates.deliveries.list',
  redeliver: 'affiliates.deliveries.redeliver',
  intakeStats: 'affiliates.intake.stats',
} as const;

/** Lead events an affiliate hears about, in the order one flush sends their batches (lead.ftd last). */
export const LEAD_EVENTS = ['lead.registered', 'lead.kyc_approved', 'lead.deposit', 'lead.ftd'] as const;
export type LeadEventName = (typeof LEAD_EVENTS)[number];
/** Events the CRM may post; lead.ftd is only ever derived from a deposit. */
export const INTAKE_EVENTS = ['lead.registered', 'lead.kyc_approved', 'lead.deposit'] as const;
export type IntakeEventName = (typeof INTAKE_EVENTS)[number];
