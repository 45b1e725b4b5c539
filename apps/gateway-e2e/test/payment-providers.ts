import type { BridgerpayFakeCredentials } from '@app/connectors/providers/bridgerpay/bridgerpay.fake';
import type { PraxisFakeCredentials } from '@app/connectors/providers/praxis/praxis.fake';

import type { Platform } from '../src/platform';

interface Fake<C> {
  creds: C;
  baseUrl: string;
}

/** Activates BridgerPay and Praxis against their fakes through the API, as a CRM would; each must answer 200. */
export async function activatePaymentProviders(
  p: Pick<Platform, 'api'>,
  bridgerpay: Fake<BridgerpayFakeCredentials>,
  praxis: Fake<PraxisFakeCredentials>,
): Promise<void> {
  const activate = (key: string, body: unknown) =>
    p.api(`/api/platform/integrations/providers/${key}/activate`, { method: 'POST', json: body });
  const bp = bridgerpay.creds;
  const px = praxis.creds;
  expect(
    (
      await activate('bridgerpay', {
        credentials: { username: bp.username, password: bp.password, api_key: bp.apiKey, cashier_key: bp.cashierKey },
        settings: { base_url: bridgerpay.baseUrl },
      })
    ).status,
  ).toBe(200);
  expect(
    (
      await activate('praxis', {
        credentials: {
          merchant_id: px.merchantId,
          application_key: px.applicationKey,
          merchant_secret: px.merchantSecret,
        },
        settings: { base_url: praxis.baseUrl },
      })
    ).status,
  ).toBe(200);
}

/** PUT /api/platform/payments/routing/<country or default>, which must answer 200. */
export async function putPaymentRoute(
  p: Pick<Platform, 'api'>,
  country: string,
  pair: { deposit_gateway: string; withdrawal_gateway: string },
): Promise<void> {
  expect((await p.api(`/api/platform/payments/routing/${country}`, { method: 'PUT', json: pair })).status).toBe(200);
}
