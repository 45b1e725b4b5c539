import { createHash } from 'node:crypto';

import type { PaymentDirection, PaymentStatus } from '@app/contracts';

import type { ConnectorConfig } from '../types';

/** What a service asks a payment gateway for: one cashier session for one order. */
export interface CashierRequest {
  /** Our order id: sent to the provider and echoed in every notification. */
  orderId: string;
  direction: PaymentDirection;
  /** ISO 3166-1 alpha-2, upper case. */
  country: string;
  customerId?: string;
  /** Decimal string in major units (`45.36`); some providers let the customer type it. */
  amount?: string;
  /** ISO 4217, upper case. */
  currency: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  /** Where the provider posts notifications (our public webhook URL for this provider). */
  notificationUrl: string;
  /** Per-session secret the provider echoes back, for providers whose notifications are unsigned. */
  sessionSecret: string;
  timeoutMs?: number;
}

/** What the CRM renders: an embedded cashier script, or a page to send the customer to. */
export type CashierAnswer =
  | { type: 'embed'; script_url: string; cashier_key: string; cashier_token?: string }
  | { type: 'redirect'; redirect_url: string };

/** The raw callback as the gateway forwarded it. */
export interface RawNotification {
  headers: Record<string, string>;
  body: Buffer;
}

/** A verified (as far as the provider allows without our stored order) and mapped notification. */
export interface PaymentNotification {
  orderId: string;
  /** De-duplication key: the same key twice is the same notification. */
  eventKey: string;
  /** Mapped status; null when the notification moves nothing (e.g. a session closing). */
  status: PaymentStatus | null;
  providerStatus: string;
  /** `review` (paid less than asked, check by hand) or `chargeback`. */
  flag?: 'review' | 'chargeback';
  providerTransactionId: string | null;
  /** Decimal string in major units, as the provider reports the transaction. */
  amount: string | null;
  currency: string | null;
  /** Provider-echoed per-session secret, for providers that do not sign (BridgerPay `meta.payload`). */
  echoedSecret?: string | null;
  /** The provider's own signed time of the notification (Unix seconds), when it signs one. */
  occurredAt?: number | null;
  /**
   * Digest of everything the notification says, where the event key covers only part of it (Praxis
   * keys by its signature, which leaves the status out): the same key with another fingerprint is
   * an edited copy, not a repeat.
   */
  fingerprint?: string | null;
}

/** Why a verified notification is kept for an operator instead of being applied (e.g. `amount_mismatch`). */
export type ParkReason = string;

/** The stored order a notification must match. */
export interface StoredOrder {
  amount: string | null;
  currency: string;
  /** SHA-256 (hex) of the per-session secret: the secret itself is never stored. */
  sessionSecretSha256: string | null;
}

/** How a per-session secret is kept at rest. */
export function sessionSecretDigest(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export interface WebhookAnswer {
  status: number;
  content_type: string;
  body: string;
  headers?: Record<string, string>;
}

/**
 * The payment category's port: cashier sessions, callback verification and status mapping. Every
 * failure is a ConnectorError: `refused`/`auth` are final (4xx), the others are the provider failing.
 */
export interface PaymentPort {
  /**
   * True when the provider does not sign its notifications (BridgerPay): only our stored order (its
   * echoed secret) proves one, so a notification naming no order of ours is unauthenticated (401), not 404.
   */
  readonly unsignedNotifications?: boolean;
  openCashier(config: ConnectorConfig, req: CashierRequest): Promise<CashierAnswer>;
  /** Parses a callback and checks what needs no stored order (a signature); throws `bad_signature`. */
  readNotification(config: ConnectorConfig, raw: RawNotification): PaymentNotification;
  /**
   * Checks a callback against our stored order. Throws `bad_signature` when the mismatch means the
   * sender is not proven (unsigned providers); returns a reason when a proven notification disagrees
   * with the order and must be parked for an operator rather than applied.
   */
  matchOrder(note: PaymentNotification, order: StoredOrder): ParkReason | undefined;
  /** The answer the provider expects so that it stops resending. */
  acknowledge(config: ConnectorConfig): WebhookAnswer;
}

export * from './payment.amounts';
