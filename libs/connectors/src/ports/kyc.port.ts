import type { ConnectorConfig } from '../types';

/** The API's KYC statuses: every provider's states are mapped onto these. */
export const KYC_STATUSES = ['pending', 'approved', 'rejected', 'resubmission_requested', 'on_hold'] as const;
export type KycStatus = (typeof KYC_STATUSES)[number];

/** The API's document types. */
export const KYC_DOC_TYPES = ['passport', 'id_card', 'driving_license', 'residence_permit', 'other'] as const;
export type KycDocType = (typeof KYC_DOC_TYPES)[number];

export interface KycApplicantInput {
  /** Our customer UUID: the provider's external user id. */
  customerId: string;
  levelName?: string;
  email?: string;
  phone?: string;
}

export interface KycApplicant {
  providerId: string;
  /** Short-lived token for the provider's web SDK. */
  accessToken: string;
  /**
   * For providers that host the verification flow (Veriff): the page the customer is sent to. Absent
   * for providers whose flow runs in their SDK inside the CRM (SumSub).
   */
  verificationUrl?: string;
}

/** Personal data read from the provider after a review (webhooks carry none). Null where unknown. */
export interface KycApplicantDetails {
  docType: KycDocType | null;
  /** ISO 3166-1 alpha-2, upper case. */
  docCountry: string | null;
  /** yyyy-mm-dd. */
  birthDate: string | null;
  /** yyyy-mm-dd, where the provider knows the document's expiry. */
  docExpiry: string | null;
}

/** A provider state mapped to ours. `status` null: the event says nothing about the status. */
export interface KycReview {
  status: KycStatus | null;
  providerStatus: string;
  /** Only meaningful after a completed review; empty otherwise. */
  rejectLabels: string[];
  /** The provider's own time of the event; null when it gives none. */
  occurredAt: Date | null;
}

/** A verified, mapped provider webhook. */
export interface KycWebhookEvent extends KycReview {
  /** The provider's unique event id, or a digest of the body when it has none: the de-duplication key. */
  eventKey: string;
  eventType: string;
  providerId: string | null;
  /** The provider's external user id (our customer UUID when we created the applicant). */
  customerRef: string | null;
  /** True when the applicant's personal data may have changed and should be fetched. */
  needsDetails: boolean;
  /** The parsed body, kept verbatim in history. */
  payload: Record<string, unknown>;
}

export interface RawWebhook {
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** The exact bytes received. */
  body: Buffer;
}

/**
 * What the kyc service asks of a KYC provider. Every failure is a ConnectorError; `parseWebhook`
 * throws code `bad_signature` for a webhook that does not verify.
 */
export interface KycPort {
  createApplicant(config: ConnectorConfig, input: KycApplicantInput): Promise<KycApplicant>;
  fetchDetails(config: ConnectorConfig, providerId: string): Promise<KycApplicantDetails>;
  /** The applicant's current review state (reconciliation of missed webhooks). */
  fetchReview(config: ConnectorConfig, providerId: string): Promise<KycReview>;
  parseWebhook(config: ConnectorConfig, webhook: RawWebhook): KycWebhookEvent;
}
