import { randomUUID } from 'node:crypto';

import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Browser, Page } from 'playwright-core';

import { SendgridFake } from '@app/connectors/providers/sendgrid/sendgrid.fake';
import { SumsubFake } from '@app/connectors/providers/sumsub/sumsub.fake';
import type { SendReply } from '@app/contracts';
import { eventually, TEST_API_KEY } from '@app/testing';

import { AffiliateReceiver } from '../../../affiliates/test/support/receiver';
import { startPlatform, type Platform } from '../../src/platform';
import { checkA11y, CONSOLE_TEST_DIR, launchBrowser, screenshots, signIn } from './browser';

const SG_KEY = 'SG.console-key-abcdefghijklmnop-1234';
const SUMSUB = {
  app_token: 'sbx:console-app-token-0001',
  secret_key: 'console-secret-key-abcdef',
  webhook_secret: 'console-webhook-secret-123456',
};
const AFF_SECRET = 'aff-console-secret-0123456789';

/** The PAGES half of the console in Chromium against the real platform: each page finds what the API made. */
describe('console pages in Chromium (every service, real NATS and Postgres, provider fakes)', () => {
  let p: Platform;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let browser: Browser;
  let page: Page;
  let sendgrid: SendgridFake;
  let sumsub: SumsubFake;
  let rx: AffiliateReceiver;

  const open = async (route: string) => {
    await page.goto(`${p.gateway.url}/console/#/${route}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
  };
  const activate = async (key: string, body: unknown) =>
    expect(
      (await p.api(`/api/platform/integrations/providers/${key}/activate`, { method: 'POST', json: body })).status,
    ).toBe(200);

  beforeAll(async () => {
    sendgrid = await new SendgridFake({ apiKey: SG_KEY }).start();
    sumsub = await new SumsubFake({
      appToken: SUMSUB.app_token,
      secretKey: SUMSUB.secret_key,
      webhookSecret: SUMSUB.webhook_secret,
    }).start();
    rx = await new AffiliateReceiver([AFF_SECRET]).start();
    p = await startPlatform({
      env: {
        // the tests' own build of the console, not dist/console (which may be older than the sources)
        CONSOLE_DIR: CONSOLE_TEST_DIR,
        CONSUMER_MAX_DELIVERIES: '2',
        CONSUMER_RETRY_BASE_MS: '50',
        KYC_ENRICH_RETRY_MS: '50',
        KYC_ENRICH_MAX_ATTEMPTS: '2',
        AFFILIATE_BATCH_INTERVAL_MS: '300',
        AFFILIATE_ALLOWED_HOSTS: rx.hostPort,
        AFFILIATE_ALLOW_HTTP: 'true',
      },
    });
    nc = await connect({ servers: p.infra.natsUrl });
    js = jetstream(nc);
    await activate('sendgrid', {
      credentials: { api_key: SG_KEY, webhook_verification_key: sendgrid.publicKeyBase64 },
      settings: { base_url: sendgrid.baseUrl },
    });
    await activate('sumsub', { credentials: SUMSUB, settings: { base_url: sumsub.baseUrl } });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, p.gateway.url, TEST_API_KEY);
  });
  afterAll(async () => {
    await browser?.close();
    await nc?.close();
    await p?.stop();
    await rx?.stop();
    await sumsub?.stop();
    await sendgrid?.stop();
  });

  it("finds a sent email's status timeline on the Messages page", async () => {
    const res = await p.api('/api/platform/integrations/email/send', {
      method: 'POST',
      json: {
        to: 'john.doe@example.com',
        subject: 'Welcome',
        body_html: '<p>Hello</p>',
        from_email: 'support@broker.example',
        customer_id: randomUUID(),
        event_type: 'welcome',
      },
    });
    expect(res.status).toBeLessThan(300);
    const sent = (await res.json()) as SendReply;
    await open('messages');
    await page.getByLabel('Message id').fill(sent.message_id);
    await page.getByRole('button', { name: 'Find message' }).click();
    const timeline = page.getByRole('table', { name: `Status timeline of message ${sent.message_id}` });
    await timeline.waitFor();
    expect(await timeline.textContent()).toContain('sendgrid: sent');
    await checkA11y(page, 'messages');
    await screenshots(page, 'messages');
  });

  it("shows a customer's KYC status and five gates after an applicant is created", async () => {
    const customerId = randomUUID();
    const res = await p.api('/api/platform/kyc/applicants', {
      method: 'POST',
      json: { customer_id: customerId, email: 'lead@example.com' },
    });
    expect(res.status).toBe(200);
    await open('kyc');
    await page.getByLabel('Customer id').fill(customerId);
    await page.getByRole('button', { name: 'Find customer' }).click();
    await page.getByRole('heading', { name: /Status/ }).waitFor();
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain(customerId);
    expect(text).toContain('sumsub');
    for (const gate of ['Identity', 'Document', 'Country', 'Age', 'Screening']) expect(text).toContain(gate);
    await checkA11y(page, 'kyc');
    await screenshots(page, 'kyc');
  });

  it("shows an affiliate's stats, chart and attempt log after a delivery", async () => {
    const id = 'console-aff';
    const put = await p.api(`/api/platform/affiliates/${id}`, {
      method: 'PUT',
      json: { name: 'Console affiliate', webhook_url: rx.url, secret: AFF_SECRET },
    });
    expect(put.status).toBe(200);
    const customer = `${id}-c1`;
    const lead = await p.api('/api/platform/affiliates/leads', {
      method: 'POST',
      json: { affiliate_id: id, affiliate_lead_id: `L-${customer}`, customer_id: customer, country: 'BR' },
    });
    expect(lead.status).toBeLessThan(300);
    await js.publish(
      `${p.infra.prefix}.evt.payments.deposit.approved`,
      JSON.stringify({
        customer_id: customer,
        country: 'BR',
        amount: '500.00',
        currency: 'USD',
        gateway: 'praxis',
        provider_transaction_id: 'tx-console-1',
        approved_at: new Date().toISOString(),
      }),
      { msgID: 'dep-console-1' },
    );
    await eventually('a delivery attempt', async () => {
      const res = await p.api(`/api/platform/affiliates/${id}/stats`);
      return ((await res.json()) as { total_attempts: number }).total_attempts > 0 ? true : undefined;
    });
    await open('affiliates');
    // listed without typing its id: the page loads every affiliate
    const stats = page.getByRole('table', { name: 'Affiliates and their delivery stats' });
    const row = stats.getByRole('row', { name: /Console affiliate \(console-aff\)/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('100%');
    await row.getByRole('button', { name: 'Console affiliate (console-aff)' }).click();
    await page.getByRole('table', { name: `Attempt log of ${id}, newest first` }).waitFor();
    expect(await page.getByRole('img', { name: /Delivery outcomes of console-aff/ }).count()).toBe(1);
    page.once('dialog', (d) => void d.accept());
    await page
      .getByRole('button', { name: /^Redeliver batch / })
      .first()
      .click();
    await page.getByRole('status').filter({ hasText: 'queued for redelivery' }).waitFor();
    await checkA11y(page, 'affiliates');
    await screenshots(page, 'affiliates');
  });

  it('lists a dead letter and replays it after a confirmation', async () => {
    await js.publish(`${p.infra.prefix}.evt.kyc.webhook.recorded`, JSON.stringify({ event_id: 'not-a-uuid' }), {
      msgID: 'poison-console',
    });
    await eventually('a dead letter', async () => {
      const res = await p.api('/api/platform/ops/dead-letters');
      return ((await res.json()) as { dead_letters: unknown[] }).dead_letters.length > 0 ? true : undefined;
    });
    await open('dead-letters');
    const replay = page.getByRole('button', { name: /^Replay dead letter / }).first();
    await replay.waitFor();
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.accept();
    });
    await replay.click();
    await page.getByRole('status').filter({ hasText: 'handed to kyc-webhook-processor again' }).waitFor();
    expect(asked).toMatch(/^Replay dead letter /);
    await checkA11y(page, 'dead-letters');
    await screenshots(page, 'dead-letters');
  });

  it('shows a configuration change on the Audit page', async () => {
    await open('audit');
    const table = page.getByRole('table', { name: /Configuration changes/ });
    await table.waitFor();
    const text = (await table.textContent()) ?? '';
    expect(text).toContain('sendgrid');
    expect(text).toContain('console-aff');
    await checkA11y(page, 'audit');
    await screenshots(page, 'audit');
  });
});
