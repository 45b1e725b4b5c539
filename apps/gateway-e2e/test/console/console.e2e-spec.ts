import type { Browser, BrowserContext, Page } from 'playwright-core';

import { BridgerpayFake } from '@app/connectors/providers/bridgerpay/bridgerpay.fake';
import { GmailFake } from '@app/connectors/providers/gmail/gmail.fake';
import { PraxisFake } from '@app/connectors/providers/praxis/praxis.fake';
import { SendgridFake } from '@app/connectors/providers/sendgrid/sendgrid.fake';
import { TEST_API_KEY } from '@app/testing';

import { startPlatform, type Platform } from '../../src/platform';
import { activatePaymentProviders, putPaymentRoute } from '../payment-providers';
import { checkA11y, CONSOLE_TEST_DIR, launchBrowser, screenshots, signIn } from './browser';

const SG_KEY = 'SG.console-key-abcdefghijklmnop-4321';
const GMAIL = {
  clientId: 'console-client.apps.googleusercontent.com',
  clientSecret: 'gmail-console-secret-QWE123',
  refreshToken: '1//console-refresh-token-ASD456',
  senderEmail: 'ops@broker.example',
};
const BP = { username: 'bp-user', password: 'bp-console-password-1', apiKey: 'bp-api-key-1', cashierKey: 'bp-cash-1' };
const PX = { merchantId: 'API-merchant', applicationKey: 'app-key-1', merchantSecret: 'praxis-console-secret-ZXC' };
const SECRETS = [SG_KEY, GMAIL.clientSecret, GMAIL.refreshToken, TEST_API_KEY];

/** The operator console in Chromium, against the real platform and the provider fakes. */
describe('the operator console in a browser', () => {
  let p: Platform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let sendgrid: SendgridFake;
  let gmail: GmailFake;
  let bridgerpay: BridgerpayFake;
  let praxis: PraxisFake;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    sendgrid = await new SendgridFake({ apiKey: SG_KEY }).start();
    gmail = await new GmailFake(GMAIL).start();
    bridgerpay = await new BridgerpayFake(BP).start();
    praxis = await new PraxisFake(PX).start();
    p = await startPlatform({ env: { CONSOLE_DIR: CONSOLE_TEST_DIR } });
  });
  afterAll(async () => {
    await browser?.close();
    await p?.stop();
    for (const fake of [sendgrid, gmail, bridgerpay, praxis]) await fake?.stop();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
  });
  afterEach(async () => {
    await context?.close();
  });

  const card = (name: string) => page.locator('article.provider').filter({ has: page.getByRole('heading', { name }) });

  it('is served at /console with a Content-Security-Policy of its own origin only', async () => {
    const res = await page.goto(`${p.gateway.url}/console`);
    expect(res?.status()).toBe(200);
    const headers = res!.headers();
    expect(headers['content-security-policy']).toContain("default-src 'self'");
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(headers['x-content-type-options']).toBe('nosniff');
    // the app itself runs under that policy: the sign-in form renders and nothing was blocked
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const deep = await page.goto(`${p.gateway.url}/console/some/deep/link`);
    expect(deep?.status()).toBe(200);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(cspViolations).toEqual([]);
    await checkA11y(page, 'sign-in');
    await screenshots(page, 'sign-in');
  });

  it('a wrong key stays on sign-in with a message; the key is kept in sessionStorage only', async () => {
    await page.goto(`${p.gateway.url}/console/`);
    await page.getByLabel('API key').fill('not-a-platform-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('rejected');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);

    await signIn(page, p.gateway.url, TEST_API_KEY);
    expect(await page.evaluate('[localStorage.length, document.cookie]')).toEqual([0, '']);
    expect(await page.evaluate("sessionStorage.getItem('console.apiKey')")).toBe(TEST_API_KEY);
  });

  it('lists every page in its navigation, and each opens under its own heading', async () => {
    await signIn(page, p.gateway.url, TEST_API_KEY);
    const nav = page.getByRole('navigation', { name: 'Console pages' });
    const pages = ['Providers', 'Payment routing', 'Messages', 'KYC', 'Affiliates', 'Dead letters', 'Audit'];
    expect(await nav.getByRole('link').allTextContents()).toEqual(pages);
    for (const name of pages) {
      await nav.getByRole('link', { name, exact: true }).click();
      await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
    }
  });

  it('a 401 later (the key revoked) returns to sign-in; sign out forgets the key', async () => {
    await signIn(page, p.gateway.url, TEST_API_KEY);
    await page.evaluate("sessionStorage.setItem('console.apiKey', 'revoked-key')");
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('401');

    await signIn(page, p.gateway.url, TEST_API_KEY);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });

  it('activates SendGrid through its form, then makes Gmail the email default; no secret reaches the page', async () => {
    await signIn(page, p.gateway.url, TEST_API_KEY);
    const sg = card('SendGrid');
    await sg.getByText('Inactive').waitFor();
    await sg.getByLabel('API key', { exact: true }).fill(SG_KEY);
    await sg.getByLabel('Base URL').fill(sendgrid.baseUrl);
    await sg.getByRole('button', { name: 'Activate' }).click();
    await sg.getByText('Active', { exact: true }).waitFor();
    await sg.getByText('Default', { exact: true }).waitFor();
    expect(await sg.getByLabel('API key', { exact: true }).inputValue()).toBe('');
    expect(await sg.getByLabel('API key', { exact: true }).getAttribute('type')).toBe('password');
    await sg.getByRole('button', { name: 'Test connection' }).click();
    await sg.getByText('Connection OK.').waitFor();

    const gm = card('Gmail');
    await gm.getByLabel('OAuth client ID', { exact: true }).fill(GMAIL.clientId);
    await gm.getByLabel('OAuth client secret', { exact: true }).fill(GMAIL.clientSecret);
    await gm.getByLabel('Refresh token', { exact: true }).fill(GMAIL.refreshToken);
    await gm.getByLabel('Sender email address', { exact: true }).fill(GMAIL.senderEmail);
    await gm.getByLabel('Base URL', { exact: true }).fill(gmail.baseUrl);
    // the manifest's own setting, shown with its default, sent when changed
    const tokenUrl = gm.getByLabel('OAuth token endpoint', { exact: true });
    expect(await tokenUrl.inputValue()).toBe('https://oauth2.googleapis.com/token');
    await tokenUrl.fill(`${gmail.baseUrl}/token`);
    await gm.getByRole('button', { name: 'Activate' }).click();
    await gm.getByText('Active', { exact: true }).waitFor();
    const stored = await p.sdk.GET('/api/platform/integrations/providers/{key}', {
      params: { path: { key: 'gmail' } },
    });
    expect(stored.data?.settings).toMatchObject({ base_url: gmail.baseUrl, token_url: `${gmail.baseUrl}/token` });
    expect(await tokenUrl.inputValue()).toBe(`${gmail.baseUrl}/token`);
    await gm.getByRole('button', { name: 'Test connection' }).click();
    await gm.getByText('Connection OK.').waitFor();
    await gm.getByRole('button', { name: 'Make default' }).click();
    await gm.getByText('Default', { exact: true }).waitFor();
    await sg.getByRole('button', { name: 'Make default' }).waitFor();
    expect(await sg.getByText('Default', { exact: true }).count()).toBe(0);

    const html = await page.content();
    for (const secret of SECRETS) expect(html).not.toContain(secret);
    const { data } = await p.sdk.GET('/api/platform/integrations/categories');
    expect(data?.categories.find((c) => c.category === 'email')?.default_provider).toBe('gmail');

    await checkA11y(page, 'providers');
    await screenshots(page, 'providers');
  });

  it('adds a BR route through the form and previews BridgerPay embed for it', async () => {
    await activatePaymentProviders(
      p,
      { creds: BP, baseUrl: bridgerpay.baseUrl },
      { creds: PX, baseUrl: praxis.baseUrl },
    );
    await signIn(page, p.gateway.url, TEST_API_KEY);
    await page.getByRole('link', { name: 'Payment routing' }).click();
    const form = page.getByRole('form', { name: 'Route' });
    await form.getByLabel('Country').fill('br');
    await form.getByLabel('Deposit gateway').selectOption('bridgerpay');
    await form.getByLabel('Withdrawal gateway').selectOption('praxis');
    await form.getByLabel('Note').fill('Brazil via BridgerPay');
    await form.getByRole('button', { name: 'Save route' }).click();
    const row = page.getByRole('row', { name: /Brazil/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('bridgerpay');

    await page.getByLabel('Search countries').fill('braz');
    expect(await page.getByRole('row', { name: /Brazil/ }).count()).toBe(1);
    await page.getByLabel('Search countries').fill('XX');
    expect(await page.getByRole('row', { name: /Brazil/ }).count()).toBe(0);
    await page.getByLabel('Search countries').fill('');

    const preview = page.getByRole('form', { name: 'Resolve preview' });
    await preview.getByLabel('Country').fill('BR');
    await preview.getByLabel('Direction').selectOption('deposit');
    await preview.getByRole('button', { name: 'Preview' }).click();
    await page.getByTestId('preview-gateway').waitFor();
    expect(await page.getByTestId('preview-gateway').textContent()).toBe('bridgerpay');
    expect(await page.getByTestId('preview-type').textContent()).toBe('embed');
    expect(await page.getByTestId('preview-source').textContent()).toContain('country');

    await checkA11y(page, 'routing');
    await screenshots(page, 'routing');
  });
  it('Deactivate asks a confirmation: cancel keeps the provider active, confirm (by keyboard) makes it Inactive', async () => {
    const res = await p.api('/api/platform/integrations/providers/sendgrid/activate', {
      method: 'POST',
      json: { credentials: { api_key: SG_KEY }, settings: { base_url: sendgrid.baseUrl } },
    });
    expect(res.status).toBe(200);
    const status = async () =>
      (await p.sdk.GET('/api/platform/integrations/providers/{key}', { params: { path: { key: 'sendgrid' } } })).data
        ?.status;
    await signIn(page, p.gateway.url, TEST_API_KEY);
    const sg = card('SendGrid');
    await sg.getByText('Active', { exact: true }).waitFor();
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await sg.getByRole('button', { name: 'Deactivate' }).click();
    expect(asked).toEqual(['Deactivate SendGrid? Its stored credentials are kept.']);
    // nothing was sent: no notice, the card and the API still say active
    await page.waitForTimeout(300);
    expect(await sg.getByText('SendGrid is inactive.').count()).toBe(0);
    expect(await sg.getByText('Active', { exact: true }).count()).toBe(1);
    expect(await status()).toBe('active');

    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.accept();
    });
    await sg.getByRole('button', { name: 'Deactivate' }).focus();
    await page.keyboard.press('Enter');
    await sg.getByText('Inactive', { exact: true }).waitFor();
    await sg.getByText('SendGrid is inactive.').waitFor();
    expect(asked).toHaveLength(2);
    expect(await sg.getByRole('button', { name: 'Deactivate' }).count()).toBe(0);
    expect(await status()).toBe('inactive');
  });

  it('sets the default deposit and withdrawal gateways through the default-pair form', async () => {
    await activatePaymentProviders(
      p,
      { creds: BP, baseUrl: bridgerpay.baseUrl },
      { creds: PX, baseUrl: praxis.baseUrl },
    );
    const defaults = async () => (await p.sdk.GET('/api/platform/payments/routing/default')).data;
    await signIn(page, p.gateway.url, TEST_API_KEY);
    await page.getByRole('link', { name: 'Payment routing' }).click();
    const form = page.getByRole('form', { name: 'Default pair' });
    for (const [deposit, withdrawal] of [
      ['praxis', 'bridgerpay'],
      ['bridgerpay', 'praxis'],
    ]) {
      await form.getByLabel('Default deposit gateway').selectOption(deposit);
      await form.getByLabel('Default withdrawal gateway').selectOption(withdrawal);
      await form.getByRole('button', { name: 'Save default' }).click();
      await page.getByText(`Deposits: ${deposit}, withdrawals: ${withdrawal}`).waitFor();
      expect(await defaults()).toEqual({ deposit_gateway: deposit, withdrawal_gateway: withdrawal });
    }
    await page.getByText('Default pair saved.').waitFor();

    // a country without a route now resolves to the default pair
    const preview = page.getByRole('form', { name: 'Resolve preview' });
    await preview.getByLabel('Country').fill('JP');
    await preview.getByLabel('Direction').selectOption('withdrawal');
    await preview.getByRole('button', { name: 'Preview' }).click();
    await page.getByTestId('preview-source').filter({ hasText: 'default pair' }).waitFor();
    expect(await page.getByTestId('preview-gateway').textContent()).toBe('praxis');
  });

  it('deletes a country route after a confirmation: the row disappears and the API has no route', async () => {
    await activatePaymentProviders(
      p,
      { creds: BP, baseUrl: bridgerpay.baseUrl },
      { creds: PX, baseUrl: praxis.baseUrl },
    );
    await putPaymentRoute(p, 'MX', { deposit_gateway: 'praxis', withdrawal_gateway: 'bridgerpay' });
    const route = async () => (await p.api('/api/platform/payments/routing/MX')).status;
    expect(await route()).toBe(200);
    await signIn(page, p.gateway.url, TEST_API_KEY);
    await page.getByRole('link', { name: 'Payment routing' }).click();
    const row = page.getByRole('row', { name: /Mexico/ });
    await row.waitFor();

    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await row.getByRole('button', { name: 'Delete Mexico' }).click();
    await page.waitForTimeout(300);
    expect(await row.count()).toBe(1);
    expect(await route()).toBe(200);

    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.accept();
    });
    await row.getByRole('button', { name: 'Delete Mexico' }).click();
    await row.waitFor({ state: 'detached' });
    expect(asked).toEqual([
      'Delete the route of Mexico? It falls back to the default pair.',
      'Delete the route of Mexico? It falls back to the default pair.',
    ]);
    expect(await route()).toBe(404);
    const { data } = await p.sdk.GET('/api/platform/payments/routing');
    expect(data?.routes.map((r) => r.country)).not.toContain('MX');
  });
});
