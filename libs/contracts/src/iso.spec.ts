import 'reflect-metadata';

import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

import { CreateLeadRequest, LeadEventRequest, SetThresholdRequest } from './affiliates/affiliates.messages';
import { isCountryCode, isCurrencyCode } from './iso';
import { InternalKycWebhookRequest } from './kyc/kyc.messages';
import { CountryRequest, ResolveGatewayRequest } from './payments/payments.messages';

/** The fields class-validator refuses on a contract class, as the services' validation pipe sees them. */
function refused<T extends object>(cls: new () => T, plain: Record<string, unknown>): string[] {
  return validateSync(plainToInstance(cls, plain), { whitelist: true, forbidNonWhitelisted: true })
    .map((e) => e.property)
    .sort();
}

describe('ISO 3166-1 / ISO 4217 table', () => {
  it('knows assigned codes and refuses user-assigned or made-up ones', () => {
    for (const c of ['BR', 'DE', 'GB', 'US', 'KP']) expect([c, isCountryCode(c)]).toEqual([c, true]);
    for (const c of ['XX', 'ZZ', 'UK', 'EU', 'XK', 'BRA', 'br', '', 42, null])
      expect([c, isCountryCode(c)]).toEqual([c, false]);
    for (const c of ['USD', 'EUR', 'BRL', 'JPY']) expect([c, isCurrencyCode(c)]).toEqual([c, true]);
    for (const c of ['XYZ', 'ZZZ', 'XXX', 'EURO', 'US', 'usd', undefined])
      expect([c, isCurrencyCode(c)]).toEqual([c, false]);
  });

  it('is what affiliates validates against: XX, ZZ and XYZ are refused naming the field, any case of a real code passes', () => {
    const lead = { affiliate_id: 'acme', affiliate_lead_id: 'L-1', customer_id: 'c-1' };
    expect(refused(CreateLeadRequest, { ...lead, country: 'XX' })).toEqual(['country']);
    expect(refused(CreateLeadRequest, { ...lead, country: 'br' })).toEqual([]);
    expect(refused(SetThresholdRequest, { country: 'ZZ', min_amount: 10, currency: 'XYZ' })).toEqual([
      'country',
      'currency',
    ]);
    expect(refused(SetThresholdRequest, { country: 'default', min_amount: 10, currency: 'usd' })).toEqual([]);
    expect(
      refused(LeadEventRequest, { customer_id: 'c-1', event: 'lead.deposit', amount: 10, currency: 'XYZ' }),
    ).toEqual(['currency']);
  });

  it('is what payments and kyc validate against', () => {
    expect(refused(CountryRequest, { country: 'ZZ' })).toEqual(['country']);
    expect(refused(CountryRequest, { country: 'br' })).toEqual([]);
    expect(refused(ResolveGatewayRequest, { country: 'BR', direction: 'deposit', currency: 'XYZ' })).toEqual([
      'currency',
    ]);
    const decision = { customer_id: '3f1c4c1e-8f3e-4a55-9d2a-0d6c1f0e1a11', provider: 'manual', status: 'approved' };
    expect(refused(InternalKycWebhookRequest, { ...decision, doc_country: 'XX' })).toEqual(['doc_country']);
    expect(refused(InternalKycWebhookRequest, { ...decision, doc_country: 'gb' })).toEqual([]);
  });
});

describe('affiliate amounts', () => {
  it('refuses a deposit of zero or less naming amount; a threshold of zero stays allowed', () => {
    const dep = { customer_id: 'c-1', event: 'lead.deposit', currency: 'USD' };
    for (const amount of [0, '0', '0.00', -1, '-5'])
      expect([amount, refused(LeadEventRequest, { ...dep, amount })]).toEqual([amount, ['amount']]);
    for (const amount of [0.01, '150.00', 1])
      expect([amount, refused(LeadEventRequest, { ...dep, amount })]).toEqual([amount, []]);
    expect(refused(SetThresholdRequest, { country: 'BR', min_amount: 0, currency: 'USD' })).toEqual([]);
  });
});

describe('internal KYC occurred_at', () => {
  const decision = { customer_id: '3f1c4c1e-8f3e-4a55-9d2a-0d6c1f0e1a11', provider: 'manual', status: 'approved' };
  it('refuses a time more than 5 minutes ahead of the receiving clock naming occurred_at', () => {
    expect(refused(InternalKycWebhookRequest, { ...decision, occurred_at: '9999-12-31T23:59:59Z' })).toEqual([
      'occurred_at',
    ]);
    expect(
      refused(InternalKycWebhookRequest, { ...decision, occurred_at: new Date(Date.now() + 6 * 60_000).toISOString() }),
    ).toEqual(['occurred_at']);
    expect(
      refused(InternalKycWebhookRequest, { ...decision, occurred_at: new Date(Date.now() + 60_000).toISOString() }),
    ).toEqual([]);
    expect(refused(InternalKycWebhookRequest, { ...decision, occurred_at: '2020-01-01T00:00:00Z' })).toEqual([]);
  });
});
