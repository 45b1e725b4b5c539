// WIRE PROTOCOL: these subject strings are what kyc replicas listen on; renaming one breaks deployed services.
export const kycSubjects = {
  createApplicant: 'kyc.applicants.create',
  getCustomer: 'kyc.customers.get',
  /** The internal KYC webhook format (`POST /webhooks/kyc`): other connectors and manual decisions. */
  internalWebhook: 'kyc.webhooks.internal',
  /** Providers' own webhooks, forwarded raw by the gateway. */
  receiveWebhook: 'kyc.webhooks.receive',
} as const;
