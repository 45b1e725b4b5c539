import type { Connector, ConnectorConfig, StoredOrder } from '@app/connectors';

import type { FakeServer } from '../fake-server';

/** The kit's rules, in the order its table shows them. */
export const CONFORMANCE_RULES = ['manifest', 'port', 'test', 'webhooks', 'statuses', 'hosts', 'secrets'] as const;
export type ConformanceRule = (typeof CONFORMANCE_RULES)[number];

/** What the webhooks rule tries: each must be accepted (valid), refused, or de-duplicated (replayed). */
export const WEBHOOK_CHECKS = [
  'valid',
  'unsigned',
  'no-secret',
  'forged',
  'tampered',
  're-cased',
  'replayed',
  'stale',
] as const;
export type WebhookCheck = (typeof WEBHOOK_CHECKS)[number];

/** A callback as the provider posts it; the kit hands it to the category's parsing method. */
export interface ProviderCallback {
  method?: string;
  /** The public URL the provider called (Twilio signs it); a default is used when absent. */
  url?: string;
  /** Lower-cased names, as the gateway forwards them. */
  headers: Record<string, string>;
  body: Buffer;
}

/** One conformance run of a connector: its fake started, a configuration that works against it. */
export interface ConformanceRun {
  /** The provider's fake, running on loopback: the kit makes it fail and reads what it was sent. */
  fake: FakeServer;
  /** Good credentials for the fake, `settings.base_url` pointing at it. */
  config: ConnectorConfig;
  /** Credentials, merged over `config.credentials`, that the fake refuses as the provider would. */
  wrongCredentials: Record<string, string>;
  /**
   * One call of `connector`'s port (the connector itself, or as the services run it: guarded) that
   * reaches the provider with `config` (a send, a call, a cashier session, an applicant). The kit checks
   * its answer's shape, then makes the fake fail it.
   */
  call(connector: Connector, config: ConnectorConfig): Promise<unknown>;
  /** Absent only with `exempt.webhooks` (a provider that posts nothing: Gmail). */
  webhooks?: WebhookKit;
  stop(): Promise<void>;
}

/** How to make and spoil the provider's callbacks, exactly as the provider signs them. */
export interface WebhookKit {
  /**
   * A callback the provider would post, signed for `config` (its webhook secret), carrying the
   * provider's status `status` (one of `statuses.documented`; any when absent), signed at `atMs`
   * (now when absent). Each call is a new event: a new event id or token where the provider has one.
   */
  signed(opts: { status?: string; atMs?: number }): ProviderCallback | Promise<ProviderCallback>;
  /** The credential names the signature is keyed on: changing any of them must refuse the callback. */
  verifying: string[];
  /**
   * Credentials merged over the config's for `forged`, for a public-key scheme (SendGrid's P-256 key):
   * another valid key. Absent: each `verifying` value is changed.
   */
  forgedCredentials?: Record<string, string>;
  /** The callback with its signature removed (header or body field). */
  unsigned(cb: ProviderCallback): ProviderCallback;
  /** The callback with a field the provider signs changed (status, amount, id), signature kept. */
  tampered(cb: ProviderCallback): ProviderCallback;
  /** The callback with its signature's letters in the other case. */
  recased(cb: ProviderCallback): ProviderCallback;
  /**
   * Payments: the stored order every signed callback is for. The kit then checks each notification with
   * `matchOrder` as the payments service does, so that a provider that signs nothing (BridgerPay, whose
   * proof is the echoed session secret) is held to that proof: `forged` becomes "the order's secret is
   * another" and a parked notification counts as refused (not applied).
   */
  order?: StoredOrder;
  /** How far in the past a signed time is outside the connector's window (absent: `stale` exempt). */
  staleAfterMs?: number;
  /** Checks that the provider's scheme makes meaningless, each with the reason (shown in the table). */
  exempt?: Partial<Record<WebhookCheck, string>>;
}

/** The statuses the provider documents and the order it sends them in. */
export interface StatusKit {
  /** Every status the provider documents for this kind of callback. */
  documented: readonly string[];
  /** The connector's status table: every documented status must be one of its own keys. */
  table: Record<string, unknown>;
  /**
   * Sequences of provider statuses in the order the provider can send them for one message, call,
   * payment or applicant: their mapped statuses must never move backwards along a sequence.
   */
  lifecycles: readonly (readonly string[])[];
}

/** A connector's `<key>.conformance.ts` exports `conformance` of this type. */
export interface ConformanceDescriptor {
  start(): Promise<ConformanceRun>;
  /** Absent only with `exempt.statuses`. */
  statuses?: StatusKit;
  /** Whole rules that do not apply, each with the reason (a provider with no callbacks). */
  exempt?: Partial<Record<ConformanceRule, string>>;
}
