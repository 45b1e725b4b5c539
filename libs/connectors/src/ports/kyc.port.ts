/** Filled in by the KYC issue (KycPort: applicants, access tokens, webhook verification, status mapping). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface KycPort {}
