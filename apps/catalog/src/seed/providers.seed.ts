/**
 * The providers this catalog offers. Adding a provider: its connector folder in
 * libs/connectors/src/providers/ (docs/connectors.md), and one entry here. Nothing else.
 */
export interface SeedEntry {
  key: string;
  /** Settings a new row starts with (merged under the connector's declared defaults). */
  settings?: Record<string, unknown>;
}

export const PROVIDER_SEED: SeedEntry[] = [
  { key: 'zadarma' },
  { key: 'voiso' },
  { key: 'twilio_voice' },
  { key: 'sendgrid' },
  { key: 'gmail' },
  { key: 'twilio_sms' },
  { key: 'praxis' },
  { key: 'bridgerpay' },
  { key: 'sumsub' },
  { key: 'mailgun' },
  { key: 'vonage_sms' },
  { key: 'telnyx' },
  { key: 'veriff' },
];
